"""The sentences of the choice screen (issue 14: a closed service offers a time booked here or
a call back), from the presenter's state and the catalogue.  Plain functions, no Qt; the view
shows them and spoken guidance says them."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk import wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue


@dataclass(frozen=True)
class OtherWaysText:
    """What the choice screen says, top to bottom."""

    title: str
    service: str
    opens: str
    choose: str
    book: tuple[str, str]
    callback: tuple[str, str]
    back: str

    def spoken(self) -> list[str]:
        """In reading order, each choice with what it does."""
        return [self.title, self.service, self.opens, self.choose,
                f"{self.book[0]}. {self.book[1]}", f"{self.callback[0]}. {self.callback[1]}"]


def other_ways_text(p: KioskPresenter, cat: Catalogue) -> OtherWaysText:
    """The choice screen's words for the chosen service, in the interface language."""
    lang = p.language
    info = p.service(p.citizen.service_id)
    name = wording.service_name(p, info)
    agency = getattr(info.agency_names, lang) if info is not None else ""
    opens = ""
    if info is not None and info.next_opening is not None:
        when = cat.when(lang, info.next_opening, p.wall_clock())
        opens = cat.tr(lang, "other_ways.opens", when=when)
    return OtherWaysText(
        title=cat.tr(lang, "other_ways.title"),
        service=f"{agency} – {name}" if agency and name else name,
        opens=opens,
        choose=cat.tr(lang, "other_ways.choose"),
        book=(cat.tr(lang, "other_ways.book"), cat.tr(lang, "other_ways.book_hint")),
        callback=(cat.tr(lang, "other_ways.callback"), cat.tr(lang, "other_ways.callback_hint")),
        back=cat.tr(lang, "other_ways.back"),
    )
