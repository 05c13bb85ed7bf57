"""Inviting someone into the call: a colleague by name, a service's queue, an interpreter
from a language's pool, or a supervisor (the citizen will see who joins)."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from agent_console.views.context import ViewContext
from wire import member_messages as M

DATA = 256
TABS = ("by_name", "to_queue", "interpreter", "supervisor")


class InviteDialog(QDialog):
    """Four lists (colleagues, services, interpreters' pools, supervisors) and a note."""

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        t = ctx.t
        self.setWindowTitle(t("invite.title"))
        self.setMinimumSize(600, 520)
        call = ctx.presenter.call
        self.intro = QLabel(t(
            "invite.intro",
            service=ctx.service(call.service) if call else "",
            language=ctx.language(call.language) if call else "",
        ))
        self.intro.setWordWrap(True)
        self.tabs = QTabWidget()
        self.lists: dict[str, QListWidget] = {}
        for name in TABS:
            widget = QListWidget()
            widget.currentItemChanged.connect(lambda *_: self._update())
            widget.itemDoubleClicked.connect(lambda _item: self._confirm())
            self.lists[name] = widget
            self.tabs.addTab(widget, t(f"invite.{name}"))
        self.tabs.currentChanged.connect(lambda _i: self._update())
        self.note = QLineEdit()
        self.note.setMaxLength(200)
        self.note.setPlaceholderText(t("invite.note"))
        self.empty = QLabel()
        self.empty.setObjectName("subtle")
        buttons = QDialogButtonBox()
        self.confirm = QPushButton(t("invite.confirm"))
        self.confirm.setObjectName("primary")
        cancel = QPushButton(t("common.cancel"))
        buttons.addButton(self.confirm, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._confirm)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        """Fill the lists from the latest directory and the service list."""
        t, p = self.ctx.t, self.ctx.presenter
        call = p.call
        directory = call.members.directory if call is not None else None
        agents = directory.agents if directory is not None else []
        pools = {pool.interpretation_language: pool for pool in directory.pools} \
            if directory is not None else {}
        rows: dict[str, list[tuple[str, str]]] = {name: [] for name in TABS}
        for agent in agents:
            label = t("invite.colleague", name=agent.name, state=t(f"phase.{_phase(agent)}"))
            if agent.supervisor:
                rows["supervisor"].append((label, f"agent:{agent.agent_id}:supervisor"))
            elif not agent.interpretation_languages:
                rows["by_name"].append((label, f"agent:{agent.agent_id}:second_clerk"))
        language = call.language if call is not None else "fi"
        for info in p.transfer_targets() if call is not None else []:
            if language in info.languages:
                rows["to_queue"].append((self.ctx.service(info.id), f"service:{info.id}"))
        for code in M.INTERPRETATION_LANGUAGES:
            pool = pools.get(code)
            name = t(f"ilang.{code.replace('-', '_')}")
            label = t("invite.pool", language=name, free=pool.free if pool else 0,
                      waiting=pool.waiting if pool else 0)
            rows["interpreter"].append((label, f"pool:{code}"))
        for name, widget in self.lists.items():
            current = widget.currentItem()
            chosen = current.data(DATA) if current is not None else None
            widget.clear()
            for label, value in rows[name]:
                item = QListWidgetItem(label)
                item.setData(DATA, value)
                widget.addItem(item)
                if value == chosen:
                    widget.setCurrentItem(item)
        self._update()

    def select(self, tab: str, value: str) -> bool:
        """Pick a row by its value (tests, keyboard users)."""
        self.tabs.setCurrentIndex(TABS.index(tab))
        widget = self.lists[tab]
        for i in range(widget.count()):
            item = widget.item(i)
            if item is not None and item.data(DATA) == value:
                widget.setCurrentItem(item)
                return True
        return False

    def _update(self) -> None:
        call = self.ctx.presenter.call
        can = call is not None and call.members.can_invite()
        current = self.lists[TABS[self.tabs.currentIndex()]]
        self.confirm.setEnabled(can and current.currentItem() is not None)
        self.empty.setText(self.ctx.t("invite.full") if not can else
                           self.ctx.t("invite.none") if current.count() == 0 else "")
        self.empty.setVisible(bool(self.empty.text()))

    def _confirm(self) -> None:
        call = self.ctx.presenter.call
        item = self.lists[TABS[self.tabs.currentIndex()]].currentItem()
        if call is None or item is None:
            return
        kind, _, rest = str(item.data(DATA)).partition(":")
        note = self.note.text().strip()
        if kind == "agent":
            agent_id, _, role = rest.partition(":")
            call.members.invite_agent(agent_id, role, note)
        elif kind == "service":
            call.members.invite_service(rest, note)
        elif kind == "pool":
            call.members.invite_interpreter(rest, note)  # type: ignore[arg-type]
        self.accept()


def _phase(agent: M.DirectoryAgent) -> str:
    return {"reserved": "offered"}.get(agent.state, agent.state)
