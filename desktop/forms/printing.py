"""Printing a case's documents: render, decide 补打, and record every print on the case's timeline.

The desk and `python -m desktop print` both go through here, so a reprint is recognised the same way
everywhere: a document of the same kind (and, for cover sheets, the same material) printed before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop import forms
from desktop.forms.esign import Signature
from desktop.storage import esign, settings
from desktop.storage.store import Store


@dataclass(frozen=True)
class PrintJob:
    """A rendered document waiting to be printed or saved; `record()` it once it is."""

    case_uuid: str
    case_number: str
    kind: str
    material: str | None
    reprint: bool
    pdf: bytes
    paper: str = ""  # the title printed (a 收件凭证 and the later 受理回执 are different papers)

    @property
    def detail(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"kind": self.kind, "reprint": self.reprint}
        if self.material:
            detail["material"] = self.material
        if self.paper:
            detail["paper"] = self.paper
        return detail


def is_reprint(events: list[dict[str, Any]], kind: str, material: str | None = None, paper: str = "") -> bool:
    """Whether this document was printed before, as the timeline says (the same paper, when it says which)."""
    return any(e["kind"] == "printed" and e["detail"].get("kind") == kind
               and e["detail"].get("material") == material
               and (not paper or e["detail"].get("paper", paper) == paper) for e in events)


def prepare(store: Store, ref: str, kind: str, *, material: str | None = None) -> PrintJob:
    """Render document `kind` of case `ref` (number or UUID) with the office's settings."""
    case = store.load(ref)
    events = store.events(case.uuid)
    paper = forms.paper_title(kind, case, store.catalog_for(case)) if kind == "receipt" else ""
    reprint = is_reprint(events, kind, material, paper)
    office = forms.OfficeInfo.from_settings(settings.get_all(store.db))
    pdf = forms.render(kind, case, store.catalog_for(case), office_info=office, reprint=reprint, material=material,
                       events=events, signatures=signatures(store, events) if kind == "consent" else None)
    return PrintJob(case.uuid, case.number or "", kind, material, reprint, pdf, paper)


def signatures(store: Store, events: list[dict[str, Any]]) -> dict[tuple[str, str], Signature]:
    """The case's newest on-screen signatures, ready for the 委托书 (read from the blob store)."""
    return {key: Signature.from_stored(d) for key, d in esign.images(store, events).items()}


def record(store: Store, job: PrintJob, *, actor: str = "") -> None:
    """Put the print on the case's timeline (who, when, which document, whether a reprint)."""
    store.record_event(job.case_uuid, "printed", actor=actor, detail=job.detail)
