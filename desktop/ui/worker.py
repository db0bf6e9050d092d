"""Background work through one helper: `run(fn, callback)`; the callback gets (result, error) on the GUI thread.

Workers get plain data (frozen dataclasses, bytes), never widgets or the store: the database has one writer,
the GUI thread, so reads a job needs are made before it starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from desktop.domain.errors import DeskError
from desktop.storage.store import Store


class _Relay(QObject):
    done = Signal(object, object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.fn, self.relay = fn, relay

    def run(self) -> None:
        try:
            result, error = self.fn(), None
        except Exception as exc:  # handed to the callback, which decides: known error or bug
            result, error = None, exc
        self.relay.done.emit(result, error)


_pending: set[_Relay] = set()


def known(error: BaseException) -> str:
    """The Chinese message of a known error (DeskError) from a job; anything else is a bug and is re-raised."""

    if not isinstance(error, DeskError):
        raise error
    return error.message


def run(fn: Callable[[], Any], callback: Callable[[Any, BaseException | None], None]) -> None:
    """Run `fn` on the thread pool; `callback(result, error)` runs later on the GUI thread."""
    relay = _Relay()
    _pending.add(relay)

    def deliver(result: Any, error: BaseException | None) -> None:
        _pending.discard(relay)
        callback(result, error)

    relay.done.connect(deliver)
    QThreadPool.globalInstance().start(_Job(fn, relay))


Changes = list[tuple[str, str]]  # (what, case uuid) as the store's listeners hear them; uuid "" for no case


def run_on_store(data_dir, catalog, job: Callable[[Any], Any],
                 callback: Callable[[Any, BaseException | None], None], *,
                 changed: Callable[[Changes], None] | None = None) -> None:
    """Like `run`, with `job(store)` given its own connection to the data dir, closed afterwards.

    For background work that reads or writes the database (intake, sync, the ledger): SQLite serialises it
    with the GUI thread's writes, and no connection is ever shared between threads. What the job committed
    (its store's after-commit callbacks) goes to `changed` on the GUI thread, before `callback`, even when the
    job failed half-way: every change that did commit is seen by every open view.
    """
    seen: Changes = []

    def with_store() -> Any:
        store = Store.open(data_dir, catalog)
        store.listeners.append(lambda what, uuid: seen.append((what, uuid)))
        try:
            return job(store)
        finally:
            store.close()

    def deliver(result: Any, error: BaseException | None) -> None:
        if changed is not None and seen:
            changed(list(seen))
        callback(result, error)

    run(with_store, deliver)
