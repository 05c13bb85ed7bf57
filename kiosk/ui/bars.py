"""The strips above and below the screens.

The top strip only informs (name, connection warning, hearing-loop sign).  Every control
that is on all screens (text size, contrast, reading aloud, volume, language) sits in the
bottom bar, within reach from a wheelchair; with large text the languages move to a second
row instead of squeezing the buttons.
"""

from __future__ import annotations

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPen
from PyQt6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.state import Screen
from kiosk.ui import theme
from kiosk.ui.widgets import button, label
from wire.types import LANGUAGES

CHECK = "✓ "


class LoopSymbol(QWidget):
    """The hearing-loop symbol: an ear with a "T", drawn in the bar's colours."""

    def __init__(self, size: int = 52) -> None:
        super().__init__()
        self.setFixedSize(size, size)
        self.ink = "#ffffff"

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        s = float(self.width())
        pen = QPen(QColor(self.ink), max(2.0, s / 16))
        painter.setPen(pen)
        painter.drawRoundedRect(QRectF(1.5, 1.5, s - 3, s - 3), s / 8, s / 8)
        ear = QPainterPath(QPointF(s * 0.26, s * 0.40))
        ear.cubicTo(QPointF(s * 0.24, s * 0.12), QPointF(s * 0.70, s * 0.10),
                    QPointF(s * 0.66, s * 0.42))
        ear.cubicTo(QPointF(s * 0.64, s * 0.56), QPointF(s * 0.50, s * 0.58),
                    QPointF(s * 0.48, s * 0.70))
        ear.cubicTo(QPointF(s * 0.46, s * 0.82), QPointF(s * 0.32, s * 0.84),
                    QPointF(s * 0.28, s * 0.74))
        painter.drawPath(ear)
        painter.drawLine(QPointF(s * 0.18, s * 0.84), QPointF(s * 0.82, s * 0.16))
        font = QFont(self.font())
        font.setPixelSize(round(s * 0.34))
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(QRectF(s * 0.56, s * 0.52, s * 0.4, s * 0.44),
                         int(Qt.AlignmentFlag.AlignCenter), "T")
        painter.end()


class TopBar(QWidget):
    """App name, connection warning and the hearing-loop sign (information only)."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__()
        self.setObjectName("topbar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.presenter = presenter
        self.catalogue = catalogue
        row = QHBoxLayout(self)
        row.setContentsMargins(30, 8, 30, 8)
        row.setSpacing(16)
        self.title = label("apptitle", wrap=False)
        self.offline = label("offline")
        self.loop_symbol = LoopSymbol()
        self.loop_text = label("loop")
        row.addWidget(self.title)
        row.addSpacing(20)
        row.addWidget(self.offline, 1)
        row.addStretch(0)
        row.addWidget(self.loop_symbol)
        row.addWidget(self.loop_text)

    def refresh(self) -> None:
        """Show the presenter's state."""
        p, lang = self.presenter, self.presenter.language
        self.title.setText(self.catalogue.tr(lang, "app.title"))
        why = "bar.untrusted" if p.devices.problem == "tls_untrusted" else "bar.offline"
        self.offline.setText(self.catalogue.tr(lang, why))
        # The out-of-service screen says it all, in large type.
        self.offline.setVisible(not p.devices.online and p.screen != Screen.OUT_OF_SERVICE)
        loop = p.site.induction_loop
        self.loop_symbol.ink = theme.palette(p.citizen.high_contrast).bar_ink
        self.loop_symbol.setVisible(loop)
        self.loop_text.setVisible(loop)
        self.loop_text.setText(self.catalogue.tr(lang, "bar.hearing_loop"))
        self.loop_symbol.update()


class BottomBar(QWidget):
    """Text size, contrast, reading aloud, volume and language: on every screen, low down."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__()
        self.setObjectName("bottombar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.presenter = presenter
        self.catalogue = catalogue
        rows = QVBoxLayout(self)
        rows.setContentsMargins(24, 12, 24, 12)
        rows.setSpacing(10)
        self.first = QHBoxLayout()
        self.first.setSpacing(14)
        self.second = QHBoxLayout()
        self.second.setSpacing(14)
        rows.addLayout(self.first)
        rows.addLayout(self.second)

        self.bigtext = self._toggle(presenter.toggle_large_text)
        self.contrast = self._toggle(presenter.toggle_high_contrast)
        self.speech = self._toggle(presenter.toggle_speech)
        self.quieter = button("bar")
        self.quieter.clicked.connect(lambda: presenter.change_volume(-1))
        self.volume = label("bar_label", wrap=False)
        self.louder = button("bar")
        self.louder.clicked.connect(lambda: presenter.change_volume(+1))
        for widget in (self.bigtext, self.contrast, self.speech):
            self.first.addWidget(widget)
        self.first.addStretch(1)
        self.second.addStretch(1)
        self.volume_group = QWidget()
        self.volume_group.setObjectName("bottombar_group")
        volume_row = QHBoxLayout(self.volume_group)
        volume_row.setContentsMargins(0, 0, 0, 0)
        volume_row.setSpacing(14)
        for part in (self.quieter, self.volume, self.louder):
            volume_row.addWidget(part)

        self.languages = QWidget()
        self.languages.setObjectName("bottombar_group")
        lang_row = QHBoxLayout(self.languages)
        lang_row.setContentsMargins(40, 0, 0, 0)
        lang_row.setSpacing(14)
        self.group = QButtonGroup(self)
        self.langs: dict[str, QPushButton] = {}
        for lang in LANGUAGES:
            b = self._toggle(lambda code=lang: presenter.set_language(code))
            self.group.addButton(b)
            self.langs[lang] = b
            lang_row.addWidget(b)

    def _toggle(self, action: object) -> QPushButton:
        b = button("bar")
        b.setCheckable(True)
        b.clicked.connect(lambda _=False: action())  # type: ignore[operator]
        return b

    def _arrange(self) -> None:
        """One row when everything fits; else languages, then the volume too, move to a
        second row (large text), so no button is ever squeezed."""
        for group in (self.volume_group, self.languages):
            self.first.removeWidget(group)
            self.second.removeWidget(group)
        spacing = self.first.spacing()
        toggles = sum(w.sizeHint().width() + spacing for w in (self.bigtext, self.contrast,
                                                               self.speech))
        volume = self.volume_group.sizeHint().width() + spacing
        languages = 0 if self.languages.isHidden() else self.languages.sizeHint().width()
        margins = self.layout().contentsMargins()  # type: ignore[union-attr]
        room = (self.width() or 1920) - margins.left() - margins.right() - 40
        if toggles + volume + languages <= room:
            self.first.addWidget(self.volume_group)
            self.first.addWidget(self.languages)
        elif toggles + volume <= room:
            self.first.addWidget(self.volume_group)
            self.second.addWidget(self.languages)
        else:
            self.second.insertWidget(0, self.volume_group)
            self.second.addWidget(self.languages)

    def refresh(self) -> None:
        """Show the presenter's state."""
        p, c = self.presenter, self.presenter.citizen
        tr, lang = self.catalogue.tr, p.language
        for widget, on, key in (
            (self.bigtext, c.large_text, "bar.larger_text"),
            (self.contrast, c.high_contrast, "bar.high_contrast"),
            (self.speech, c.speech, "bar.speech"),
        ):
            widget.setChecked(on)
            widget.setText((CHECK if on else "") + tr(lang, key))
        self.quieter.setText(tr(lang, "bar.quieter"))
        self.louder.setText(tr(lang, "bar.louder"))
        self.volume.setText(tr(lang, "bar.volume", level=c.volume))
        for code, b in self.langs.items():
            b.setText(tr(code, f"lang.{code}"))  # type: ignore[arg-type]
            b.setChecked(code == lang)
        # The welcome screen has its own big language buttons; in a call the room goes to the
        # clerk's picture (the language can be changed again after the call).
        self.languages.setVisible(p.screen not in (Screen.WELCOME, Screen.CALL, Screen.PHOTO))
        self._arrange()
