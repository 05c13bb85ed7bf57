"""The restart budget of a call's media path (sans-I/O)."""

from __future__ import annotations

from client_core.restart_policy import BACKOFF_S, MAX_FAILURES, RestartBudget


def test_waits_grow_and_the_budget_runs_out() -> None:
    budget = RestartBudget()
    waits = []
    for attempt in range(MAX_FAILURES - 1):
        assert budget.failed(attempt)
        waits.append(budget.wait_s())
    assert waits == list(BACKOFF_S[: MAX_FAILURES - 1])
    assert not budget.failed(MAX_FAILURES - 1)


def test_one_attempt_counts_once_and_media_resets_the_count() -> None:
    budget = RestartBudget(max_failures=2)
    assert budget.failed(0) and budget.failed(0)  # the watcher and the other side
    assert budget.failures == 1
    budget.media_flowed()
    assert budget.failed(1) and budget.failures == 1
    assert not budget.failed(2)
