"""TLS trust for the clients: the agency's CA file, and a plain word for a refused certificate.

Kiosks and consoles talk to servers that often carry certificates from the agency's own CA.
The CA file given on the command line (``--ca-file``) is the whole trust store: the system
store is used only when no file is named, and verification is never turned off.

A refused certificate is not a network hiccup: retrying will not help until someone fixes the
server's certificate or the kiosk's CA file. :func:`connect_problem` tells the two apart so the
screen and the log can say what is wrong instead of "no connection".
"""

from __future__ import annotations

import os
import ssl
from typing import Final, Literal

import aiohttp

ConnectProblem = Literal["tls_untrusted", "tls_failed", "unreachable"]

CA_ENV: Final = "SSL_CERT_FILE"
"""OpenSSL's default-trust variable: what TLS opened by libraries on their own trusts."""


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """A client TLS context that verifies the server, against ``ca_file`` if given.

    Agencies often run their own CA; the system store is used when no file is named.
    Verification is never turned off.
    """
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def trust_ca_file_everywhere(ca_file: str) -> None:
    """Make ``ca_file`` the default trust of this process, for TLS we do not open ourselves.

    aiortc asks aioice for TURN over TLS (``turns:``) with ``ssl=True``, i.e. Python's default
    context, which loads OpenSSL's default verify paths: pointing ``SSL_CERT_FILE`` at the
    agency's CA makes the TURN relay's certificate checked against the same CA as the
    signaling server's. Call it once at start, before any connection is made.
    """
    os.environ[CA_ENV] = os.path.abspath(ca_file)


def connect_problem(exc: BaseException) -> tuple[ConnectProblem, str]:
    """Classify a failed connection: ``(problem, a one-line reason for the log)``."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, aiohttp.ClientConnectorCertificateError):
            current = current.certificate_error  # the ssl error it wraps
        if isinstance(current, ssl.SSLCertVerificationError):
            reason = getattr(current, "verify_message", None) or current.reason or str(current)
            return "tls_untrusted", f"the server's certificate is not trusted: {reason}"
        if isinstance(current, ssl.SSLError):
            return "tls_failed", f"TLS handshake failed: {current.reason or current}"
        current = current.__cause__ or current.__context__
    return "unreachable", type(exc).__name__
