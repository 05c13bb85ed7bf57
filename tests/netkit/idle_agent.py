"""An agent who is logged in but never ready: the queue is open, nobody answers.

A kiosk can join a queue only while someone who serves it is logged in; this keeps one
present without taking calls, so a test can hold a citizen in the queue (e.g. across a
network cut) and decide when an answering agent arrives. Bounded by ``--seconds``::

    python -m tests.netkit.idle_agent --server http://10.77.1.1:8765 --username erik \
        --seconds 120      # password in $ETAPISTE_PASSWORD

Prints JSON lines: ``welcome``, ``status`` (agent state) and ``done``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os

from client_core.headless import emit
from client_core.signaling_client import SignalingClient, login
from wire import server_messages as S


async def _run(base_url: str, username: str, password: str, seconds: float) -> int:
    session = await login(base_url, username, password)
    client = SignalingClient(base_url.replace("http", "ws", 1).rstrip("/") + "/ws",
                             session.token, client_name="idle-agent")

    def on_message(message: S.ServerMessage) -> None:
        if isinstance(message, S.AgentStatus):
            emit("status", state=message.state)

    client.add_listener(on_message)
    try:
        await client.connected()
        emit("welcome", agent=session.id)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.Event().wait(), seconds)
    finally:
        await client.close()
    emit("done")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.netkit.idle_agent")
    parser.add_argument("--server", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args(argv)
    return asyncio.run(
        _run(args.server, args.username, os.environ["ETAPISTE_PASSWORD"], args.seconds)
    )


if __name__ == "__main__":
    raise SystemExit(main())
