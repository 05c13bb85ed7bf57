"""Names a client could never carry on the wire are refused where they are made (issue 12:
"A display name of 250 characters or a kiosk name of 300 is accepted when created, then hello
fails in the hub for ever")."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher

from signaling.admin import AdminError, add_account, add_site, provision_kiosk
from tests.server.harness import running_server

CHEAP = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


@pytest.mark.parametrize(
    "display_name",
    ["A" * 250, "Aino\u202eenivriV", "Aino\nVirtanen", "Aino\u200bVirtanen"],
    ids=["250 characters", "bidi override", "line break", "zero-width space"],
)
async def test_names_that_would_lock_an_account_out_are_refused(
    tmp_path: Path, display_name: str
) -> None:
    async with running_server(tmp_path / "data") as h:
        store, now = h.ctx.store, h.ctx.clock()
        with pytest.raises(AdminError):
            add_account(store, "admin:cli", "aino", display_name, "agent", "long enough pw",
                        ["kela.benefits"], ["fi"], now=now, hasher=CHEAP)
        with pytest.raises(AdminError):
            provision_kiosk(store, "admin:cli", "nurmes", display_name, now=now)
        with pytest.raises(AdminError):
            add_site(store, "admin:cli", "kontiolahti", display_name, "PK", now=now)
        assert store.accounts() == [] and store.list_kiosks() == []
        # What is accepted connects: the longest allowed names, in every script we serve.
        kiosk_id, token = provision_kiosk(store, "admin:cli", "nurmes", "Ö" * 80, now=now)
        h.kiosk_tokens[kiosk_id] = token
        client = await h.kiosk(kiosk_id)
        assert client.welcome is not None and client.welcome.identity.name == "Ö" * 80
