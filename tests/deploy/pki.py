"""Throwaway certificate authorities and server certificates (openssl), for TLS tests.

An agency runs its own CA; the tests make one per run, sign the servers' certificates with it,
and make a second, unrelated CA to show that a client trusting the wrong CA refuses to connect.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


def _openssl(folder: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True, timeout=30)


@dataclass(frozen=True)
class Ca:
    """A CA: its certificate (what clients trust) and key."""

    cert: Path
    key: Path


@dataclass(frozen=True)
class ServerCert:
    """A server's certificate, its chain (server + CA, as nginx wants it) and key."""

    cert: Path
    chain: Path
    key: Path


def make_ca(folder: Path, name: str = "ca") -> Ca:
    """A fresh P-256 CA valid for two days."""
    folder.mkdir(parents=True, exist_ok=True)
    _openssl(
        folder, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
        "-subj", f"/CN=Etapiste test CA {name}",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
    )
    return Ca(folder / f"{name}.pem", folder / f"{name}.key")


def issue(ca: Ca, folder: Path, name: str, sans: Sequence[str]) -> ServerCert:
    """A server certificate signed by ``ca`` for ``sans`` (``IP:1.2.3.4``, ``DNS:host``)."""
    folder.mkdir(parents=True, exist_ok=True)
    _openssl(
        folder, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}",
    )
    ext = folder / f"{name}.ext"
    ext.write_text(
        f"subjectAltName={','.join(sans)}\nextendedKeyUsage=serverAuth\n", encoding="utf-8"
    )
    _openssl(
        folder, "x509", "-req", "-in", f"{name}.csr", "-CA", str(ca.cert), "-CAkey", str(ca.key),
        "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", ext.name,
    )
    cert = folder / f"{name}.pem"
    chain = folder / f"{name}-fullchain.pem"
    chain.write_text(cert.read_text() + ca.cert.read_text(), encoding="utf-8")
    return ServerCert(cert, chain, folder / f"{name}.key")


def make_ca_and_cert(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a certificate it signed for 127.0.0.1 / localhost: ``(ca, cert, key)``."""
    ca = make_ca(folder)
    server = issue(ca, folder, "server", ["IP:127.0.0.1", "DNS:localhost"])
    return ca.cert, server.cert, server.key
