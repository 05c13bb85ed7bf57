"""A recording backend and wire-message builders for presenter tests (no network, no Qt)."""

from __future__ import annotations

from typing import Any

from agent_console.console_state import LoginInfo
from wire import server_messages as S
from wire.types import Names

LIEKSA = S.SiteRef(
    id="lieksa",
    names=Names(
        fi="Lieksan yhteispalvelupiste",
        sv="Lieksa gemensamma serviceställe",
        en="Lieksa joint service point",
    ),
)
DISPOSITIONS = ["resolved", "guided_to_eservice", "referred", "other"]


class FakeBackend:
    """Records every command; ``channel_open`` decides whether control messages go out."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.controls: list[dict[str, Any]] = []
        self.channel_open = True

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def login(self, username: str, password: str) -> None:
        self._record("login", username, password)

    def logout(self) -> None:
        self._record("logout")

    def change_password(self, new_password: str) -> None:
        self._record("change_password", new_password)

    def cancel_password_change(self) -> None:
        self._record("cancel_password_change")

    def photos_purged(self, count: int) -> None:
        self._record("photos_purged", count)

    def set_state(self, state: str, reason: str | None) -> None:
        self._record("set_state", state, reason)

    def accept_offer(self, offer_id: str) -> None:
        self._record("accept_offer", offer_id)

    def reject_offer(self, offer_id: str) -> None:
        self._record("reject_offer", offer_id)

    def send_message(self, message: Any) -> None:
        self._record("send_message", message)

    def set_member_muted(self, member_id: str, muted: bool) -> None:
        self._record("set_member_muted", member_id, muted)

    def end_call(self, call_id: str) -> None:
        self._record("end_call", call_id)

    def transfer(self, call_id: str, service: str) -> None:
        self._record("transfer", call_id, service)

    def wrapup_done(self, call_id: str, disposition: str | None, note: str | None) -> None:
        self._record("wrapup_done", call_id, disposition, note)

    def request_history(self) -> None:
        self._record("request_history")

    def send_control(self, message: dict[str, Any]) -> bool:
        if self.channel_open:
            self.controls.append(message)
        return self.channel_open

    def set_muted(self, muted: bool) -> None:
        self._record("set_muted", muted)

    def set_camera(self, on: bool) -> None:
        self._record("set_camera", on)


def login_info(server_time: float) -> LoginInfo:
    return LoginInfo(
        agent_id="agent-1",
        name="Aino Virtanen",
        skills=["kela.benefits", "vero.tax"],
        languages=["fi", "sv"],
        dispositions=DISPOSITIONS,
        server_time=server_time,
    )


def status(state: str, since: float, **kw: Any) -> S.AgentStatus:
    return S.AgentStatus(state=state, since=since, **kw)  # type: ignore[arg-type]


def offer(offer_id: str = "o1", expires_in_s: float = 20.0, waited_s: float = 95.0) -> S.Offer:
    return S.Offer(
        offer_id=offer_id,
        service="kela.benefits",
        language="fi",
        site=LIEKSA,
        kiosk="Lieksa kiosk 1",
        waited_s=waited_s,
        expires_in_s=expires_in_s,
    )


def call_start(call_id: str = "c1") -> S.CallStart:
    return S.CallStart(
        call_id=call_id,
        role="answerer",
        ice_servers=[],
        peer=S.Peer(kind="kiosk", name="Lieksa kiosk 1", site=LIEKSA),
        service="kela.benefits",
        language="fi",
    )


def service(
    service_id: str, agency: str, open_: bool = True, languages: tuple[str, ...] = ("fi", "sv")
) -> S.ServiceInfo:
    names = Names(fi=f"{service_id} fi", sv=f"{service_id} sv", en=f"{service_id} en")
    return S.ServiceInfo(
        id=service_id,
        agency=agency,
        names=names,
        agency_names=Names(fi=agency, sv=agency, en=agency),
        languages=list(languages),  # type: ignore[arg-type]
        open=open_,
        languages_available=list(languages),  # type: ignore[arg-type]
    )
