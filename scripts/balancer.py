"""A small loopback load balancer for the scale-out benchmark: each new TCP connection
goes to the next backend in turn, and its bytes are copied both ways.

It balances connections, as a layer-4 balancer does (deploy/nginx.conf balances
requests); the benchmark's users keep one connection each, so they are spread evenly.
It listens on 127.0.0.1 only, and runs on uvloop, as Sanic does, to cost the machine little.

Run: python -m scripts.balancer PORT BACKEND_PORT [BACKEND_PORT ...]
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sys
from collections.abc import Sequence

import uvloop

CHUNK = 64 * 1024


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        with contextlib.suppress(ConnectionError, RuntimeError):
            writer.close()


async def serve(port: int, backends: Sequence[int]) -> None:
    turn = itertools.cycle(backends)

    async def connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", next(turn)
            )
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))

    server = await asyncio.start_server(connect, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main(argv: Sequence[str]) -> None:
    if len(argv) < 2:
        sys.exit("usage: python -m scripts.balancer PORT BACKEND_PORT [BACKEND_PORT ...]")
    port, *backends = (int(a) for a in argv)
    with contextlib.suppress(KeyboardInterrupt):
        uvloop.run(serve(port, backends))


if __name__ == "__main__":
    main(sys.argv[1:])
