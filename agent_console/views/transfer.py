"""Choosing another service's queue for the citizen; they keep their place in line."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from agent_console.views.context import ViewContext


class TransferDialog(QDialog):
    """Lists the services that serve the citizen's language, open ones first."""

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        t = ctx.t
        call = ctx.presenter.call
        self.setWindowTitle(t("transfer.title"))
        self.setMinimumSize(560, 460)
        intro = QLabel(
            t(
                "transfer.intro",
                service=ctx.service(call.service) if call else "",
                language=ctx.language(call.language) if call else "",
            )
        )
        intro.setWordWrap(True)
        keeps = QLabel(t("transfer.keeps_place"))
        keeps.setObjectName("subtle")
        keeps.setWordWrap(True)
        self.services = QListWidget()
        language = ctx.catalogue.language
        for info in ctx.presenter.transfer_targets():
            name = str(getattr(info.names, language))
            agency = str(getattr(info.agency_names, language))
            state = t("transfer.open") if info.open else t("transfer.closed")
            item = QListWidgetItem(f"{name}\n{agency} · {state}")
            item.setData(256, info.id)
            if not info.open:
                item.setForeground(self.palette().placeholderText())
            self.services.addItem(item)
        self.empty = QLabel(t("transfer.none"))
        self.empty.setVisible(self.services.count() == 0)
        buttons = QDialogButtonBox()
        self.confirm = QPushButton(t("transfer.confirm"))
        self.confirm.setObjectName("primary")
        self.confirm.setEnabled(False)
        cancel = QPushButton(t("common.cancel"))
        buttons.addButton(self.confirm, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._confirm)
        buttons.rejected.connect(self.reject)
        self.services.currentItemChanged.connect(
            lambda cur, _prev: self.confirm.setEnabled(cur is not None)
        )
        self.services.itemDoubleClicked.connect(lambda _item: self._confirm())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(keeps)
        layout.addWidget(self.services, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)

    def select(self, service_id: str) -> bool:
        """Select a service by id (tests, keyboard users)."""
        for i in range(self.services.count()):
            item = self.services.item(i)
            if item is not None and item.data(256) == service_id:
                self.services.setCurrentItem(item)
                return True
        return False

    def _confirm(self) -> None:
        item = self.services.currentItem()
        if item is None:
            return
        self.ctx.presenter.transfer(str(item.data(256)))
        self.accept()
