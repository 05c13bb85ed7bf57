"""Building blocks shared by the screens: styled labels and buttons, a button whose text
wraps, a scrolling page that says when there is more, a grid that reflows to fit."""

from __future__ import annotations

from collections.abc import Sequence

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QResizeEvent
from PyQt6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.flow import KioskPresenter
from kiosk.hyphenation import hyphenate
from kiosk.i18n import Catalogue


class ScreenBase(QWidget):
    """A screen: reads the presenter in :meth:`refresh`, forwards touches as intents."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__()
        self.presenter = presenter
        self.catalogue = catalogue

    def tr_(self, key: str, **params: object) -> str:
        """Text of ``key`` in the current language."""
        return self.catalogue.tr(self.presenter.language, key, **params)

    def hy(self, text: str) -> str:
        """``text`` with soft hyphens in its long words (wraps inside words at large text)."""
        return hyphenate(text, self.presenter.language)

    def refresh(self) -> None:
        """Show the presenter's current state."""
        raise NotImplementedError


def label(name: str, wrap: bool = True) -> QLabel:
    """A label styled by object name (``h1``, ``h2``, ``big``, ``notice``, ``body``)."""
    widget = QLabel()
    widget.setObjectName(name)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


def button(name: str = "primary") -> QPushButton:
    """A big push button styled by object name (``primary``, ``secondary``, ``danger``)."""
    widget = QPushButton()
    widget.setObjectName(name)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return widget


def set_state(widget: QWidget, state: str) -> None:
    """Set the ``state`` property the style sheet matches on, and restyle if it changed."""
    if widget.property("state") == state:
        return
    widget.setProperty("state", state)
    style = widget.style()
    if style is not None:
        style.unpolish(widget)
        style.polish(widget)


def restyle(widget: QWidget, object_name: str) -> None:
    """Give ``widget`` another style (object name) and apply it now."""
    if widget.objectName() == object_name:
        return
    widget.setObjectName(object_name)
    style = widget.style()
    if style is not None:
        style.unpolish(widget)
        style.polish(widget)


class WrapButton(QPushButton):
    """A button whose text wraps onto several lines (long choices at large text)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("wrap")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        box = QVBoxLayout(self)
        box.setContentsMargins(26, 14, 26, 14)
        self.text_label = label("wrap_text")
        self.text_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        box.addWidget(self.text_label)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def set_text(self, text: str) -> None:
        """The button's words."""
        self.text_label.setText(text)
        self.setAccessibleName(text)


MORE_BELOW_MIN_PX = 24


class ScrollPage(QScrollArea):
    """A page that scrolls when it does not fit (large text); the screen test treats its
    content as reachable.

    :attr:`hint` is a button "there is more below ↓" that scrolls down a page; it shows only
    while there is more, and the screen places it near its other buttons.  There is no
    kinetic (QScroller) dragging: it swallowed taps on the tiles of a list long enough to
    scroll, so a citizen's touch did nothing.
    """

    def __init__(self) -> None:
        super().__init__()
        self.hint = button("more")
        self.hint.clicked.connect(self.page_down)
        # Its room is kept while hidden: showing it never moves the page (nor loops).
        policy = self.hint.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.hint.setSizePolicy(policy)
        self.hint.hide()
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.content = QWidget()
        self.content.setObjectName("page")
        self.body = QVBoxLayout(self.content)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.setWidget(self.content)
        bar = self.verticalScrollBar()
        assert bar is not None
        bar.rangeChanged.connect(lambda *_: self._update_hint())
        bar.valueChanged.connect(lambda *_: self._update_hint())

    def page_down(self) -> None:
        """Scroll down by most of a page (the hint button)."""
        bar = self.verticalScrollBar()
        if bar is not None:
            bar.setValue(bar.value() + max(bar.singleStep(), self.viewport().height() * 3 // 4))  # type: ignore[union-attr]

    def _update_hint(self) -> None:
        bar = self.verticalScrollBar()
        # A few pixels of margin below the last line are not "more".
        more = bar is not None and bar.maximum() - bar.value() > MORE_BELOW_MIN_PX
        # isHidden, not isVisible: on a screen not shown yet every child reads invisible, and
        # a hint shown then would stay shown when the page no longer has more.
        if more == self.hint.isHidden() and self.hint.parentWidget() is not None:
            self.hint.setVisible(more)


class FlowGrid(QWidget):
    """Buttons in one row at their natural widths when they fit, else in equal columns as
    wide as the widest (more rows), so none is squeezed and cut when text grows.

    ``last_right`` keeps the last button at the right end of a single row ("Continue"
    opposite "Back").  The grid takes the width it is given (it never forces its parent
    wider): put it in a vertical layout.
    """

    def __init__(self, spacing: int = 14, max_columns: int = 8, last_right: bool = False) -> None:
        super().__init__()
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(spacing)
        self.max_columns = max_columns
        self.last_right = last_right
        self.items: list[QWidget] = []
        self._placed: tuple[object, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_items(self, items: Sequence[QWidget]) -> None:
        """The widgets to lay out, in order."""
        self.items = list(items)
        for widget in self.items:
            widget.setParent(self)  # a parentless widget counts as hidden
        self._placed = ()
        self.reflow()

    def _visible(self) -> list[QWidget]:
        # A widget that keeps its room while hidden (a "more below" hint) keeps its place
        # too, so showing it never reflows the row under the citizen's finger.
        return [
            w for w in self.items
            if not w.isHidden() or w.sizePolicy().retainSizeWhenHidden()
        ]

    def columns_for(self, width: int) -> tuple[int, bool]:
        """How many columns fit in ``width``, and whether that is one row of natural widths
        (else equal columns as wide as the widest item)."""
        visible = self._visible()
        if not visible:
            return 1, True
        spacing = self.grid.spacing()
        widths = [w.sizeHint().width() for w in visible]
        if sum(widths) + spacing * len(widths) <= width:
            return len(widths), True
        fit = max(1, (width + spacing) // (max(widths) + spacing))
        return min(fit, len(visible), self.max_columns), False

    def reflow(self) -> None:
        """Place the items again for the current width and visibility."""
        visible = self._visible()
        columns, natural = self.columns_for(self.width() or 1920)
        placed = (columns, natural, *(id(w) for w in visible))
        if placed == self._placed:
            return
        self._placed = placed
        for w in self.items:
            self.grid.removeWidget(w)
        for col in range(self.max_columns + 2):
            self.grid.setColumnStretch(col, 0)
        if natural:
            for i, w in enumerate(visible):
                last = self.last_right and i == len(visible) - 1 and i > 0
                self.grid.addWidget(w, 0, i + 1 if last else i)
            self.grid.setColumnStretch(len(visible) - (1 if self.last_right else 0), 1)
            return
        for i, w in enumerate(visible):
            self.grid.addWidget(w, i // columns, i % columns)
        for col in range(columns):
            self.grid.setColumnStretch(col, 1)

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        self.reflow()
