#!/bin/bash
trap "exit 130" INT
sleep 30 & wait $!
