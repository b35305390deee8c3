"""The scale-out benchmark's loopback balancer (scripts/balancer.py): each user's
connection goes to the next backend in turn, and every request on it is answered whole."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import aiohttp
from aiohttp import web

from scripts.servers import ROOT, free_port


def test_connections_go_to_the_backends_in_turn_and_every_reply_arrives_whole() -> None:
    async def run() -> dict[str, list[int]]:
        runners, ports = [], []
        for name in ("first", "second"):

            async def echo(request: web.Request, name: str = name) -> web.Response:
                body = await request.json()
                return web.json_response({"backend": name, "echo": body, "pad": "x" * 100_000})

            app = web.Application()
            app.router.add_post("/echo", echo)
            runner = web.AppRunner(app)
            await runner.setup()
            port = free_port()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            runners.append(runner)
            ports.append(port)
        front = free_port()
        balancer = subprocess.Popen(
            [sys.executable, "-m", "scripts.balancer", str(front), *map(str, ports)], cwd=ROOT
        )
        served: dict[str, list[int]] = {}
        try:
            for _ in range(50):
                try:
                    _, probe = await asyncio.open_connection("127.0.0.1", front)
                    probe.close()
                    break
                except OSError:
                    await asyncio.sleep(0.1)
            for user in range(4):  # one kept-alive connection each
                connector = aiohttp.TCPConnector(limit=1)
                async with aiohttp.ClientSession(connector=connector) as session:
                    for i in range(20):
                        url = f"http://127.0.0.1:{front}/echo"
                        async with session.post(url, json={"user": user, "i": i}) as reply:
                            data = await reply.json()
                        assert data["echo"] == {"user": user, "i": i}
                        assert len(data["pad"]) == 100_000
                        served.setdefault(data["backend"], []).append(user)
        finally:
            balancer.terminate()
            balancer.wait(timeout=10)
            for runner in runners:
                await runner.cleanup()
        return served

    served = asyncio.run(run())
    # The readiness probe's connection took the first turn: users 0 and 2 went to the
    # second backend, 1 and 3 to the first.
    assert sorted(set(served["second"])) == [0, 2]
    assert sorted(set(served["first"])) == [1, 3]
