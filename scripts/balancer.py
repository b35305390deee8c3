"""A small loopback load balancer for the scale-out benchmark: each new TCP connection
goes to the next backend in turn, and its bytes are copied both ways.

It balances connections, as a layer-4 balancer does (deploy/nginx.conf balances
requests); the benchmark's users keep one connection each, so they are spread evenly.
It listens on 127.0.0.1 only. It shares the machine's two cores with what it measures,
so it is kept cheap: asyncio protocols (no streams) on uvloop, as Sanic runs.

Run: python -m scripts.balancer PORT BACKEND_PORT [BACKEND_PORT ...]
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import uvloop


class _Side(asyncio.Protocol):
    """One end of a connection: what it receives is written to the other end."""

    def __init__(self) -> None:
        self.transport: Any = None  # uvloop's transports are not asyncio.Transport
        self.other: _Side | None = None
        self.pending: list[bytes] = []  # received before the other end was connected

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.other is not None and self.other.transport is not None:
            self.other.transport.write(data)
        else:
            self.pending.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.other is not None and self.other.transport is not None:
            self.other.transport.close()

    def join(self, other: _Side) -> None:
        """Pair with `other`, now connected, and hand it what came meanwhile."""
        self.other, other.other = other, self
        for data in self.pending:
            other.transport.write(data)
        self.pending.clear()


class _Client(_Side):
    """A user's connection: opens one to the next backend."""

    def __init__(self, backends: Iterator[int]) -> None:
        super().__init__()
        self.backends = backends

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        asyncio.get_running_loop().create_task(self._connect())

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            _, upstream = await loop.create_connection(_Side, "127.0.0.1", next(self.backends))
        except OSError:
            if self.transport is not None:
                self.transport.close()
            return
        if self.transport is None or self.transport.is_closing():
            upstream.transport.close()
            return
        self.join(upstream)


async def serve(port: int, backends: Sequence[int]) -> None:
    turn = itertools.cycle(backends)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Client(turn), "127.0.0.1", port)
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
