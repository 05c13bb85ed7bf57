"""What every view needs: the presenter, the current catalogue and the video feeds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent_console.bookings import BookingsPresenter
from agent_console.callbacks import CallbackPresenter
from agent_console.i18n import Catalogue
from agent_console.ports import VideoFeeds
from agent_console.presenter import ConsolePresenter


@dataclass
class ViewContext:
    """Shared by all views; ``catalogue`` changes when the agent switches language."""

    presenter: ConsolePresenter
    catalogue: Catalogue
    feeds: VideoFeeds | None = None
    bookings: BookingsPresenter | None = None
    """The bookings tab's presenter (None: no bookings tab)."""
    callbacks: CallbackPresenter | None = None
    """Callback tasks (issue 14); None in views built without them."""

    def t(self, key: str, **fields: object) -> str:
        """Translate ``key``."""
        return self.catalogue.t(key, **fields)

    def service(self, service_id: str) -> str:
        """A service's name in the UI language."""
        return self.presenter.service_name(service_id, self.catalogue.language)

    def language(self, code: str) -> str:
        """A citizen language's name in the UI language."""
        return self.t(f"lang.{code}")

    def site(self, names: Any) -> str:
        """A site's name in the UI language (``names`` is a wire ``Names`` or None)."""
        if names is None:
            return self.t("site.unknown")
        return str(getattr(names, self.catalogue.language, names.fi))
