"""A TLS listener that only shakes hands: enough to show a client refusing a certificate."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

from tests.deploy.pki import ServerCert, issue, make_ca


@contextlib.asynccontextmanager
async def tls_listener(folder: Path) -> AsyncIterator[tuple[int, ServerCert, Path]]:
    """``(port, the server's certificate, a CA that did NOT sign it)`` on 127.0.0.1."""
    server_ca, other_ca = make_ca(folder, "server-ca"), make_ca(folder, "other-ca")
    cert = issue(server_ca, folder, "server", ["IP:127.0.0.1", "DNS:localhost"])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert.chain, cert.key)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    try:
        yield port, cert, other_ca.cert
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await server.wait_closed()
