"""A second process for a long ledger, so a year's ledger uses two cores.

    helper = ledgerpages.Helper.start(warm)  # before the login: the child's imports overlap it; None on one core
    try:
        pdf = ledger.render(result, helper=helper)     # it draws some of the full pages, or
        helper.ask(function, *args); helper.answer()   # it runs other work (desktop/ledger/pdfsplit.py)
    finally:
        if helper is not None:
            helper.close()

A year's ledger from this device's rows is split by rows (desktop/ledger/pdfsplit.py: the child reads, wraps
and draws its own half). Otherwise, as described here:

The parent lays the ledger out and numbers its pages as before (desktop/forms/ledgertable.py `DrawnParts`):
by then every full page's rows are known and every character of them has its code in the embedded subsets,
so the child gets plain values (the rows' cells and lines, their widths, the codes, each page's decoration)
and sends back the finished, compressed content streams of the last pages while the parent draws the first
ones. Both draw with the same code, so the document is the one a single process writes, byte for byte.

Started with multiprocessing's "spawn" (as on Windows, where there is no fork): the child relies on nothing
inherited. When the child cannot start, dies, or fails, the parent draws those pages itself and logs the bug
(its traceback redacted: no cell's text): the ledger is never broken or half written.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Any

from desktop.storage.logs import redacted_report

if TYPE_CHECKING:  # the drawing code is imported where used: the helper starts before reportlab is loaded
    from desktop.forms.ledgertable import DrawnParts
    from desktop.forms.page import StreamFrame

log = logging.getLogger("desktop.forms.ledgerpages")
# The child's share of the full pages: it draws a page about a fifth slower than the parent (its rows' cells
# arrive unhashed, their operators are made from scratch) and starts after the rows are pickled; with 0.55 the
# parent waited 0.8-0.9 s for it on the year's ledger, with 0.45 the child was done first (2026-12-02, load 4).
SHARE = 0.45
MIN_PAGES = 40  # fewer pages are drawn faster than the child's rows are sent to it


def cores() -> int:
    """The cores this process may use (its affinity where the platform tells it, else the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # Windows, macOS
        return os.cpu_count() or 1


def _core_to_spare() -> bool:
    """Whether a second process would run beside this one rather than take turns with it: two cores or more,
    and (where the platform says) a load average that leaves one of them idle. On a machine busy with other
    work the child's extra CPU (its imports, the rows sent to it) only slows the ledger down."""
    count = cores()
    if count < 2:
        return False
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows
        return True
    return load < count - 0.5  # this process counts once in the load already


@dataclass
class _Job:
    """What the child draws: rows (Prepared.state), the codes, the parts, their decorations, the frame."""

    rows: dict
    codes: tuple[dict, dict]
    parts: list[tuple[int, int]]
    page: tuple[float, float, float]
    decorations: list[list[str]]
    frame: StreamFrame


@dataclass
class _Call:
    """Any other work: `function(memory, *args)` run in the child, its answer sent back (desktop/ledger/pdfsplit.py
    has the child query and wrap its own share of the rows). `memory` is a dict the child keeps between calls."""

    function: Callable[..., Any]
    args: tuple


class HelperError(Exception):
    """The child could not draw its pages (it died, or raised: its redacted traceback is the message)."""


class Helper:
    """The child process and the pipe to it; `streams` draws a DrawnParts' pages with it."""

    def __init__(self, warm: Callable[[], None] | None = None) -> None:
        self.drawn = 0  # pages the child drew for the last document
        context = multiprocessing.get_context("spawn")
        self._conn, theirs = context.Pipe()
        self._process = context.Process(target=serve, args=(theirs, warm), name="ledger-pages", daemon=True)
        self._process.start()
        theirs.close()

    @classmethod
    def start(cls, warm: Callable[[], None] | None = None) -> Helper | None:
        """A started helper, or None (then one process draws every page, as it always could) where there is
        one core, where the others are busy (POSIX load average), or where the process cannot start.
        DESK_LEDGER_PROCESSES=1 or 2 decides instead (for benches and tests). `warm`, run by the child at once,
        imports what its work will need (nothing that reads data: it may run before the login is accepted)."""
        forced = os.environ.get("DESK_LEDGER_PROCESSES", "")
        if forced == "1" or (forced != "2" and not _core_to_spare()):
            return None
        try:
            return cls(warm)
        except (OSError, RuntimeError):
            log.warning("the ledger's page helper did not start; one process draws the pages", exc_info=True)
            return None

    def streams(self, drawn: DrawnParts, decorations: list[list[str]], frame: StreamFrame) -> list[bytes]:
        """The content streams of all of `drawn`'s pages: the last share drawn by the child, meanwhile the
        first by this process; the child's drawn here if it fails."""
        parts = drawn.parts
        self.drawn = 0
        decorations = decorations[:]  # all made here, in page order, as before
        if len(parts) < MIN_PAGES:
            return drawn.draw(parts, decorations, frame)
        cut = len(parts) - round(len(parts) * SHARE)
        theirs = parts[cut:]
        unsent = self._send(drawn, theirs, decorations[cut:], frame)
        mine = drawn.draw(parts[:cut], decorations[:cut], frame)
        try:
            if unsent:
                raise HelperError(unsent)
            theirs_drawn = self._receive(len(theirs))
            self.drawn = len(theirs_drawn)
            return mine + theirs_drawn
        except HelperError as exc:
            log.error("bug: the ledger's page helper failed; this process drew its pages\n%s", exc)
            return mine + drawn.draw(theirs, decorations[cut:], frame)

    def _send(self, drawn: DrawnParts, parts: list[tuple[int, int]], decorations: list[list[str]],
              frame: StreamFrame) -> str:
        """Send the child its pages; '' when sent, else why not (the child gone, or a bug making the job)."""
        try:
            job = _Job(drawn.p.state(parts[0][0], parts[-1][1]), drawn.p.encoder().state(), parts, drawn.page,
                       decorations, frame)
            self._conn.send(job)
        except (OSError, ValueError):  # the child is gone (a broken pipe, a closed connection)
            return "the job could not be sent: the helper process is gone"
        except Exception:  # a bug making or pickling the job: this process draws the pages all the same
            return f"the job could not be made\n{_report()}"
        return ""

    def ask(self, function: Callable[..., Any], *args: Any) -> None:
        """Have the child run `function(memory, *args)` (a module-level function: it is sent by name); its
        answer is taken by `answer`. HelperError when it cannot be sent."""
        try:
            self._conn.send(_Call(function, args))
        except (OSError, ValueError):
            raise HelperError("the call could not be sent: the helper process is gone") from None
        except Exception:
            raise HelperError(f"the call could not be made\n{_report()}") from None

    def answer(self) -> Any:
        """The answer to the last job or call: HelperError when the child died, was cut off or raised (its
        redacted traceback is the message)."""
        ready = wait([self._conn, self._process.sentinel])  # whichever comes first: the answer, or its death
        if self._conn not in ready:
            raise HelperError(f"the helper process ended (exit code {self._process.exitcode})")
        try:
            ok, answer = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise HelperError(f"the helper's answer was cut off ({type(exc).__name__})") from None
        if not ok:
            raise HelperError(answer)
        return answer

    def _receive(self, count: int) -> list[bytes]:
        answer = self.answer()
        if len(answer) != count:
            raise HelperError(f"the helper drew {len(answer)} pages of {count}")
        return answer

    def close(self) -> None:
        """End the child (told to, it ends at once) and wait for it: no process is left behind, and its CPU
        time is counted with this one's."""
        with contextlib.suppress(OSError, ValueError):
            self._conn.send(None)
        self._conn.close()
        self._process.join(5)
        if self._process.is_alive():  # stuck: a bug, but never one that keeps the ledger waiting
            log.error("bug: the ledger's page helper did not end when told; killed")
            self._process.kill()
            self._process.join()


def serve(conn, warm: Callable[[], None] | None = None) -> None:
    """The child: run each job until told to stop or the pipe closes; then end at once (its objects are not
    freed one by one: nothing is left to finish). `warm` first (imports; a failure there is the first job's).
    Without the cyclic garbage collector, as the command that started it (desktop/cli/ledger.py): it lives for one
    ledger, whose rows and cells are in no cycle, and each full collection walked all of them again."""
    gc.disable()
    try:
        _serve(conn, warm)
    finally:
        os._exit(0)


def _serve(conn, warm: Callable[[], None] | None) -> None:
    memory: dict[str, Any] = {}
    failed = ""
    if warm is not None:
        try:
            warm()
        except Exception:
            failed = _report()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            if failed:
                answer: tuple[bool, Any] = (False, failed)
            elif isinstance(job, _Call):
                answer = (True, job.function(memory, *job.args))
            else:
                answer = (True, draw(job))
        except Exception:  # any failure goes back to the parent, which does the work itself
            answer = (False, _report())
        conn.send(answer)


def draw(job: _Job) -> list[bytes]:
    """A job's content streams, drawn as the parent would draw them."""
    from desktop.forms import pdftext
    from desktop.forms.ledgertable import DrawnParts, Prepared

    prepared = Prepared.restored(job.rows, pdftext.Encoder.frozen(job.codes))
    return DrawnParts(prepared, job.parts, job.page).draw(job.parts, job.decorations, job.frame)


def _report() -> str:
    return redacted_report(*sys.exc_info())
