"""A tiny TURN client: does the server grant an allocation for these credentials?

It runs aioice's TURN client (the one aiortc uses) for one UDP Allocate with the long-term
credential mechanism: the first request without credentials draws a 401 with REALM and
NONCE, the retry carries MESSAGE-INTEGRITY. A refused credential (wrong HMAC, or an expired
TURN REST username) is answered with a 401 again; a good one with XOR-RELAYED-ADDRESS.

As a program (run it inside a namespace with ``ip netns exec``)::

    python -m tests.netkit.turn_probe --server 10.77.1.3:3478 --username U --password-env P

prints one JSON line: ``{"ok": bool, "error_code": int|null, "reason": str,
"relayed": [ip, port]|null, "mapped": [ip, port]|null}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from dataclasses import asdict, dataclass

from aioice import stun
from aioice.turn import create_turn_endpoint


@dataclass(frozen=True)
class ProbeResult:
    """What the TURN server said to one Allocate."""

    ok: bool
    error_code: int | None
    reason: str
    relayed: tuple[str, int] | None = None
    mapped: tuple[str, int] | None = None


async def try_allocate(
    server: tuple[str, int], username: str, password: str, timeout: float = 8.0
) -> ProbeResult:
    """One Allocate (with the 401 challenge round); the allocation is released at once."""
    try:
        transport, _ = await asyncio.wait_for(
            create_turn_endpoint(
                asyncio.DatagramProtocol, server_addr=server, username=username,
                password=password, lifetime=60,
            ),
            timeout,
        )
    except stun.TransactionFailed as exc:
        code, reason = exc.response.attributes.get("ERROR-CODE", (None, str(exc)))
        return ProbeResult(False, code, str(reason))
    except stun.TransactionTimeout:
        return ProbeResult(False, None, "no answer from the TURN server")
    except TimeoutError:
        return ProbeResult(False, None, f"no allocation within {timeout} s")
    sockname = transport.get_extra_info("sockname")
    related = transport.get_extra_info("related_address")
    relayed = (str(sockname[0]), int(sockname[1])) if sockname else None
    mapped = (str(related[0]), int(related[1])) if related else None
    transport.close()
    await asyncio.sleep(0.2)  # let the deallocation (Refresh lifetime 0) go out
    return ProbeResult(True, None, "allocated", relayed, mapped)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.netkit.turn_probe")
    parser.add_argument("--server", required=True, help="IP:PORT of the TURN server")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password-env", default="TURN_PROBE_PASSWORD",
                        help="environment variable holding the password")
    parser.add_argument("--timeout", type=float, default=8.0)
    args = parser.parse_args(argv)
    host, _, port = args.server.rpartition(":")
    result = asyncio.run(
        try_allocate((host, int(port)), args.username, os.environ[args.password_env],
                     args.timeout)
    )
    print(json.dumps(asdict(result)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
