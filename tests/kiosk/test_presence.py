"""Nobody is dropped without being asked: the presenter alone, with a driven clock."""

from __future__ import annotations

from kiosk.flow import KioskPresenter
from kiosk.presence import PROMPT_ANSWER_S, WAITING_IDLE_S
from kiosk.state import IDLE_TIMEOUTS_S, MORE_TIME_FACTOR, READING_SCREENS, Screen
from tests.kiosk.test_flow import Clock, make, names
from tools.kiosk_screenshots import NullEffects

MINUTE = 60.0


def queued(lang: str = "fi") -> tuple[KioskPresenter, NullEffects, Clock]:
    p, effects, clock = make()
    p.choose_language(lang)  # type: ignore[arg-type]
    p.choose_service("kela.benefits")
    p.accept_privacy()
    p.join_queue()
    assert p.screen == Screen.WAITING and p.queued
    return p, effects, clock


def run_for(p: KioskPresenter, clock: Clock, seconds: float, step: float = 1.0) -> None:
    """Tick like the window's timer does (every ``step`` seconds of driven time)."""
    end = clock.t + seconds
    while clock.t < end:
        clock.t = min(end, clock.t + step)
        p.tick()


def test_prompt_gives_at_least_30_seconds() -> None:
    assert PROMPT_ANSWER_S >= 30


def test_waiting_40_minutes_untouched_with_position_updates_keeps_the_place() -> None:
    p, effects, clock = queued()
    p.on_queued(6, 15 * MINUTE)
    for minute in range(40):
        run_for(p, clock, MINUTE, step=5.0)
        p.on_queued(max(1, 6 - minute // 7), max(60.0, (15 - minute) * MINUTE))
        assert p.prompt is None, f"asked after {minute + 1} min"
    assert p.screen == Screen.WAITING and p.queued
    assert "leave_queue" not in names(effects) and "play_attention" not in names(effects)
    assert p.resets == 0


def test_waiting_asks_only_when_the_kiosk_is_needed_and_the_estimate_has_passed() -> None:
    p, effects, clock = queued()
    p.on_queued(3, 20 * MINUTE, kiosk_needed=True)  # someone needs the kiosk, but ...
    run_for(p, clock, 19 * MINUTE, step=10.0)
    assert p.prompt is None  # ... the citizen was promised 20 minutes
    run_for(p, clock, 70, step=10.0)
    assert p.prompt is not None and p.prompt.kind == "waiting"
    assert "play_attention" in names(effects)
    p.still_here()  # answered: nothing lost
    assert p.prompt is None and p.queued and "leave_queue" not in names(effects)
    # Asked again only after minutes without a touch, and an unanswered prompt ends it.
    run_for(p, clock, WAITING_IDLE_S - 10, step=10.0)
    assert p.prompt is None
    run_for(p, clock, 20, step=5.0)
    assert p.prompt is not None
    run_for(p, clock, p.prompt.deadline - clock.t - 1)
    assert p.screen == Screen.WAITING and p.queued
    run_for(p, clock, 2)
    assert p.screen == Screen.WELCOME and not p.queued
    assert "leave_queue" in names(effects) and "forget_citizen" in names(effects)


def test_a_growing_estimate_moves_the_earliest_prompt_later() -> None:
    p, _, clock = queued()
    p.on_queued(2, 10 * MINUTE, kiosk_needed=True)
    run_for(p, clock, 5 * MINUTE, step=10.0)
    p.on_queued(2, 20 * MINUTE, kiosk_needed=True)  # now promised at 25 min
    run_for(p, clock, 19 * MINUTE, step=10.0)
    assert p.prompt is None
    run_for(p, clock, 70, step=10.0)
    assert p.prompt is not None


def test_every_timed_screen_asks_first_and_ends_only_unanswered() -> None:
    for screen, timeout in IDLE_TIMEOUTS_S.items():
        if timeout is None:
            continue
        p, effects, clock = make()
        p.choose_language("sv")
        p.toggle_large_text()
        p.screen = screen
        p.touch()
        run_for(p, clock, timeout - 1)
        assert p.prompt is None, f"{screen} asked too early"
        run_for(p, clock, 2)
        assert p.prompt is not None, f"{screen} never asked"
        assert p.screen == screen and "play_attention" in names(effects)
        run_for(p, clock, PROMPT_ANSWER_S - 2)  # the prompt came 1 s ago
        assert p.screen == screen, f"{screen} ended before the answer time was up"
        run_for(p, clock, 2)
        assert p.screen == Screen.WELCOME, screen
        assert p.citizen == p.fresh_citizen() and "forget_citizen" in names(effects)


def test_an_answered_prompt_keeps_the_screen_and_the_choices() -> None:
    p, effects, clock = make()
    p.choose_language("sv")
    p.choose_service("kela.benefits")
    run_for(p, clock, IDLE_TIMEOUTS_S[Screen.PRIVACY] or 0)
    assert p.prompt is not None
    run_for(p, clock, 20)
    p.still_here()
    assert p.screen == Screen.PRIVACY and p.language == "sv" and p.prompt is None
    assert "forget_citizen" not in names(effects)


def test_start_over_from_the_prompt_ends_at_once() -> None:
    p, effects, clock = queued()
    p.on_queued(1, 0.0, kiosk_needed=True)
    run_for(p, clock, WAITING_IDLE_S + 5, step=5.0)
    assert p.prompt is not None
    p.start_over()
    assert p.screen == Screen.WELCOME and "leave_queue" in names(effects)


def test_the_untouched_welcome_screen_never_asks() -> None:
    p, effects, clock = make()
    run_for(p, clock, 30 * MINUTE, step=10.0)
    assert p.prompt is None and "play_attention" not in names(effects)


def test_more_time_on_reading_screens() -> None:
    base = IDLE_TIMEOUTS_S[Screen.PRIVACY] or 0
    p, _, clock = make()
    p.choose_language("fi")
    p.choose_service("kela.benefits")
    assert p.screen in READING_SCREENS and p.more_time_offered()
    p.request_more_time()
    assert p.reading_minutes() == round(base * MORE_TIME_FACTOR / 60)
    run_for(p, clock, base * MORE_TIME_FACTOR - 5, step=10.0)
    assert p.prompt is None
    run_for(p, clock, 10, step=5.0)
    assert p.prompt is not None
    p.still_here()
    p.accept_privacy()
    assert not p.more_time_offered()  # the device check is not a reading screen


def test_reconnecting_shows_progress_and_asks_before_starting_over() -> None:
    p, effects, clock = queued()
    p.on_call_started("Aino")
    p.on_media_lost()
    assert p.screen == Screen.RECONNECTING
    run_for(p, clock, 30)
    assert int(p.reconnecting_for()) == 30 and p.media_down()
    run_for(p, clock, (IDLE_TIMEOUTS_S[Screen.RECONNECTING] or 0) - 30)
    assert p.prompt is not None and p.prompt.kind == "reconnect"
    p.still_here()  # "keep waiting"
    run_for(p, clock, 60)
    assert p.screen == Screen.RECONNECTING and p.in_call and "hang_up" not in names(effects)
    run_for(p, clock, 61 + PROMPT_ANSWER_S)
    assert p.screen == Screen.WELCOME and "hang_up" in names(effects)


def test_the_clerk_answering_clears_a_prompt() -> None:
    p, _, clock = queued()
    p.on_queued(1, 0.0, kiosk_needed=True)
    run_for(p, clock, WAITING_IDLE_S + 5, step=5.0)
    assert p.prompt is not None
    p.on_call_started("Aino")
    assert p.prompt is None and p.screen == Screen.CALL
    run_for(p, clock, 2 * PROMPT_ANSWER_S)
    assert p.screen == Screen.CALL


def test_headphones_switch_spoken_guidance_on_and_off() -> None:
    p, _, _ = make()
    p.on_headphones(True)
    assert p.citizen.speech
    p.reset()
    assert p.citizen.speech  # still plugged in for the next citizen
    p.on_headphones(False)
    assert not p.citizen.speech
    p.toggle_speech()
    p.on_headphones(True)
    p.on_headphones(False)
    assert p.citizen.speech  # the citizen's own choice stays
