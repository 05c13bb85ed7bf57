"""Export the protocol's JSON Schema so a browser or another language can speak it.

Usage: ``python -m wire.schema [PATH]`` writes the schema (default ``deploy/protocol.schema.json``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from wire.codec import client_json_schema, server_json_schema
from wire.types import MAX_MESSAGE_BYTES, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "deploy" / "protocol.schema.json"


def protocol_schema() -> dict[str, Any]:
    """The whole protocol: both directions plus the published limits."""
    return {
        "title": "Etäpiste signaling protocol",
        "protocol_version": PROTOCOL_VERSION,
        "min_protocol_version": MIN_PROTOCOL_VERSION,
        "max_message_bytes": MAX_MESSAGE_BYTES,
        "client_to_server": client_json_schema(),
        "server_to_client": server_json_schema(),
    }


def render() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(protocol_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the schema file."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_PATH
    path.write_text(render(), encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
