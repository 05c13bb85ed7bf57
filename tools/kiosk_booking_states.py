"""The appointment states of ``python -m tools.kiosk_screenshots``: check-in by code or QR,
refusals, the booked wait, "this kiosk is booked", and booking a time here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.booking_state import (
    Appointment,
    AppointmentState,
    BookingPhase,
    BookingVisit,
    CheckIn,
    MadeBooking,
    RefusalReason,
    SlotChoice,
)
from kiosk.flow import KioskPresenter
from kiosk.state import Refusal, Screen

State = tuple[str, Callable[[], None]]
QR_TEXT = "https://etapiste.example/book/ACE479"
"""What a booking's QR code holds (sample data)."""


def _slot_starts(now: float) -> list[float]:
    """Six plausible free times: later today, tomorrow and the day after, on the half hour."""
    base = (now // 1800 + 2) * 1800
    return [base + h * 3600 for h in (0, 1, 20, 21.5, 44, 46)]


def booking_states(p: KioskPresenter, now: float, go: Callable[[Screen], None]) -> list[State]:
    """Named setups of the appointment screens (applied to a freshly reset presenter)."""

    def visit() -> BookingVisit:
        return p.citizen.booking

    def check_in(typed: str, phase: str = "entering", refusal: RefusalReason | None = None,
                 **extra: Any) -> Callable[[], None]:
        def run() -> None:
            visit().check_in = CheckIn(typed=typed, phase=phase, refusal=refusal,  # type: ignore[arg-type]
                                       **extra)
            go(Screen.CHECK_IN)

        return run

    def appointment(
        state: AppointmentState, minutes: float, clerk: str | None
    ) -> Callable[[], None]:
        def run() -> None:
            # Booked times are on the half hour: the first one at least ``minutes`` away
            # (or, for a slot under way, the one that started).
            at = now + minutes * 60
            start = (at // 1800 + (1 if minutes > 0 else 0)) * 1800
            visit().appointment = Appointment(
                "b-1", "oikeusapu.legal_aid", p.language, start, start + 1800, clerk, state
            )
            p.citizen.service_id = "oikeusapu.legal_aid"
            p.queued = True
            go(Screen.WAITING)

        return run

    def offer(phase: BookingPhase, reason: str = "closed", problem: str | None = None,
              made: bool = False) -> Callable[[], None]:
        def run() -> None:
            starts = _slot_starts(now)
            p.offer_booking("mml.property", reason)  # type: ignore[arg-type]
            o = visit().offer
            assert o is not None  # the land survey serves fi and sv: English gets fi times
            o.phase = phase
            if phase in ("slots", "failed", "made"):
                o.slots = [SlotChoice(s, s + 1800) for s in starts]
            o.problem = problem
            if made:
                o.made = MadeBooking("ACE479", starts[2], starts[2] + 1800, QR_TEXT)
            visit().offer = o
            p.citizen.service_id = "mml.property"
            go(Screen.BOOKING)

        return run

    def reserved(refused: bool) -> Callable[[], None]:
        def run() -> None:
            at = (now // 1800 + 1) * 1800
            p.on_kiosk_schedule(at, at + 1800)
            if refused:
                p.citizen.service_id = "kela.benefits"
                p.citizen.refusal = Refusal("kiosk_reserved", service_id="kela.benefits")
            go(Screen.SERVICES)

        return run

    def long_wait() -> None:
        p.citizen.service_id = "vero.tax"
        p.citizen.position = 6
        p.citizen.estimated_wait_s = 1500.0
        p.citizen.estimate_kind = "minutes"
        p.queued = True
        go(Screen.WAITING)

    return [
        ("check-in", check_in("")),
        ("check-in-typing", check_in("ACE4")),
        ("check-in-checking", check_in("ACE479", "checking")),
        ("check-in-unknown", check_in("ACE479", "refused", "unknown_code")),
        ("check-in-too-early", check_in("ACE479", "refused", "too_early",
                                        check_in_from=now + 3 * 3600, start=now + 3.25 * 3600)),
        ("check-in-wrong-site", check_in("ACE479", "refused", "wrong_site",
                                         site_name="Lieksa")),
        ("appointment-countdown", appointment("before_slot", 12, "Aino Virtanen")),
        ("appointment-other-clerk", appointment("other_clerk", -3, None)),
        ("services-kiosk-reserved", reserved(True)),
        ("services-reserved-soon", reserved(False)),
        ("waiting-long-book", long_wait),
        ("booking-slots", offer("slots")),
        ("booking-none", offer("none", "long_wait")),
        ("booking-taken", offer("failed", "reserved", "slot_taken")),
        ("booking-made", offer("made", made=True)),
    ]
