"""The store as Qt sees it: a QObject that re-emits the store's after-commit callbacks as a signal."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop.storage.store import Store


class StoreSignals(QObject):
    """`changed(what, uuid)` after every committed change, this thread's or a background job's (`relay`);
    screens listen instead of polling."""

    changed = Signal(str, str)

    def __init__(self, store: Store, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        store.listeners.append(self._on_store_changed)

    def _on_store_changed(self, what: str, uuid: str) -> None:
        self.changed.emit(what, uuid)

    def relay(self, changes: list[tuple[str, str]]) -> None:
        """Changes a background job committed on its own connection, announced as if made here."""
        for what, uuid in dict.fromkeys(changes):
            self.changed.emit(what, uuid)

    def detach(self) -> None:
        if self._on_store_changed in self.store.listeners:
            self.store.listeners.remove(self._on_store_changed)
