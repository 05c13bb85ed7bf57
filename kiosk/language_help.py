"""Language rights, told honestly: what exists when no clerk serves the citizen's language.

Finnish and Swedish service is a right; when no clerk who speaks the citizen's language is
logged in for a service, the kiosk explains that and offers what does exist, from what the
server sends with the service list: the other languages served now with their waits, and
(when the server knows it) when service in the citizen's own language is expected.
Plain data, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

from wire.server_messages import ServiceInfo
from wire.types import LANGUAGES, Language


@dataclass(frozen=True)
class QueueOption:
    """Another language's queue for the same service, served now."""

    language: Language
    wait_s: float | None


@dataclass(frozen=True)
class LanguageHelp:
    """What to tell a citizen whose language no clerk serves right now."""

    service: ServiceInfo
    wanted: Language
    options: tuple[QueueOption, ...]
    """Queues in other languages that clerks serve now, official languages first."""
    expected_at: float | None
    """When service in ``wanted`` is expected (epoch seconds), if the server said."""
    offered: bool = True
    """Whether the service is offered in ``wanted`` at all (Finnish and Swedish always
    are; English not for every service)."""
    callback_offered: bool = False
    """Hook for [2.7] (#14): set when the service takes callback requests or bookings; the
    view then offers one.  Nothing offers it yet, so nothing is shown."""

    @property
    def nobody(self) -> bool:
        """No clerk at all is logged in for the service (no other queue to offer)."""
        return not self.options


def language_help(info: ServiceInfo, wanted: Language) -> LanguageHelp:
    """The options for ``wanted`` at ``info``, from the latest service list."""
    options = tuple(
        QueueOption(lang, info.estimated_wait_s.get(lang))
        for lang in LANGUAGES
        if lang != wanted and lang in info.languages_available
    )
    return LanguageHelp(
        service=info,
        wanted=wanted,
        options=options,
        expected_at=info.language_expected_at.get(wanted),
        offered=wanted in info.languages,
    )
