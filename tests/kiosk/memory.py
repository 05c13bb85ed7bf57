"""Search what a kiosk app can still reach for traces of a citizen."""

from __future__ import annotations

import asyncio
import gc
import types
from typing import Any

# Not followed: they lead to the event loop, every task (the test's own coroutine holds the
# marker in a local) and module globals, none of which is the kiosk's state.
_OPAQUE = (
    types.FrameType,
    types.CoroutineType,
    types.GeneratorType,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    type,
    asyncio.AbstractEventLoop,
    asyncio.Task,
)


def traces(roots: list[Any], marker: str, limit: int = 2_000_000) -> list[str]:
    """Descriptions of reachable strings containing ``marker`` and reachable JPEG data."""
    found: list[str] = []
    seen: set[int] = set()
    stack = list(roots)
    needle = marker.encode()
    while stack and len(seen) < limit:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            if marker in obj:
                found.append(f"str {obj[:80]!r}")
            continue
        if isinstance(obj, bytes | bytearray | memoryview):
            data = bytes(obj[:4]) if not isinstance(obj, memoryview) else b""
            if data.startswith(b"\xff\xd8\xff"):
                found.append(f"JPEG of {len(obj)} bytes")
            elif not isinstance(obj, memoryview) and needle in obj:
                found.append("bytes with marker")
            continue
        if isinstance(obj, _OPAQUE):
            continue
        stack.extend(gc.get_referents(obj))
    return found
