"""Loopback fakes of the chat platforms' APIs, for the channel tests."""
