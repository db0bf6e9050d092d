"""One generic wizard for every service: pages fill a draft, every edit is saved, one accept commits.

Leaving a page with invalid data is refused with the field named and focused; nothing typed is lost.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.accounts.staff import Accounts
from desktop.domain import eligibility, idnumber
from desktop.domain.case import Case
from desktop.domain.errors import DeskError, ValidationError
from desktop.forms import printing as forms_printing
from desktop.storage import esign, settings
from desktop.storage.store import Store
from desktop.ui.pagebase import Page, WizardContext, hint_label, set_hint
from desktop.ui.wizard.people import ApplicantPage, ProxyPage
from desktop.ui.wizard.rules import EligibilityPage, LinksPage, MaterialsPage, ReviewPage

# The pages in order, by name: a page's checks are found by its name (eligibility.PAGE_CHECKS), never by its
# position, so reordering or inserting a page cannot validate one page with another's rules.
PAGES = (("applicant", ApplicantPage), ("proxy", ProxyPage), ("eligibility", EligibilityPage),
         ("materials", MaterialsPage), ("links", LinksPage), ("review", ReviewPage))
SAVE_DELAY_MS = 300


class CaseWizard(QWidget):
    """The wizard for one draft. `accepted(uuid)` after acceptance; `draft_saved()` after each save."""

    accepted = Signal(str)
    draft_saved = Signal()
    consent_shown = Signal(object)  # the 委托书's preview, opened from the proxy page
    closed = Signal()

    def __init__(self, store: Store, case: Case, parent: QWidget | None = None, *, actor: str = "", clerk: str = "",
                 area_check=None, own_kind: str = "clerk"):
        super().__init__(parent)
        self.store, self.case, self.actor = store, case, actor
        # for a village agent: (case) -> the refusal when the applicant lives outside the agent's area, else None
        self.area_check = area_check
        values = settings.get_all(store.db)
        if clerk:
            values["clerk"] = clerk  # the logged-in staff member, for 经办人 and a 帮代办 by the clerk
        values["own_proxy_kind"] = own_kind  # their kind as a 受托人: clerk, or village_agent
        catalog = store.catalog_for(case)  # a draft keeps the catalog it was started under (docs/catalog.md)
        self.ctx = WizardContext(catalog, catalog.service(case.service), values)
        self._open_for: tuple[str, set[int]] = ("", set())
        self.ctx.open_services = self._open_services
        self.ctx.staff_numbers = Accounts(store.db).staff_numbers()
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_now)
        self._loading_page = True
        self._save_failed = False
        self._signed_digest = ""  # the content digest of the on-screen signatures 已签署 rests on, if it does
        self._build()
        for page in self.pages:
            page.load(case)
            page.edited.connect(self._on_page_edited)
            page.card_read.connect(self._on_card_read)
        self.go_to(min(case.page, len(self.pages) - 1), check=False)
        self._loading_page = False
        self.signing = None  # the open on-screen signing round (desktop/ui/signing.py), if any
        self._wire_consent()

    def _build(self) -> None:
        self.title = QLabel(f"{self.ctx.service.number}. {self.ctx.service.name}")
        self.title.setProperty("role", "title")
        self.catalog_note = hint_label()
        self.catalog_note.setText(self._catalog_words())
        self.catalog_note.setVisible(bool(self.catalog_note.text()))
        self.steps = QListWidget()
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.steps.setMaximumWidth(150)
        self.stack = QStackedWidget()
        self.pages: list[Page] = []
        self.names: list[str] = []
        for number, (name, cls) in enumerate(PAGES, start=1):
            page = cls(self.ctx)
            self.pages.append(page)
            self.names.append(name)
            self.steps.addItem(f"{number}. {page.title}")
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)
        self.steps.currentRowChanged.connect(self._on_step_clicked)
        self.error = hint_label(error=True)
        self.error.setVisible(False)
        self.back = QPushButton("上一步")
        self.next = QPushButton("下一步")
        self.next.setDefault(True)
        self.close_button = QPushButton("保存并关闭")
        self.discard_button = QPushButton("删除草稿…")
        self.discard_button.clicked.connect(self._on_discard)
        self.back.clicked.connect(lambda: self.go_to(self.stack.currentIndex() - 1, check=False))
        self.next.clicked.connect(self._on_next)
        self.close_button.clicked.connect(self._on_close)
        self._shortcuts()
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back)
        buttons.addWidget(self.next)
        right = QVBoxLayout()
        right.addWidget(self.title)
        right.addWidget(self.catalog_note)
        right.addWidget(self.error)
        right.addWidget(self.stack, 1)
        right.addLayout(buttons)
        outer = QHBoxLayout(self)
        outer.addWidget(self.steps)
        outer.addLayout(right, 1)

    def _catalog_words(self) -> str:
        """One sentence when the catalog changed since this draft was started: it keeps its own version."""
        active = self.store.catalog
        if self.ctx.catalog is active or self.ctx.catalog.hash == active.hash:
            return ""
        started = self.ctx.catalog.version or "启用版本管理前"
        return f"本草稿按开始办理时的目录（{started}）继续办理；现行目录已更新为 {active.version}，新办的案件按新目录。"

    def _shortcuts(self) -> None:
        """上一步 Alt+←, 下一步 Alt+→ (Enter too, outside multi-line text), 受理 Ctrl+Enter from any page."""
        self.keys: dict[str, QAction] = {}
        for name, keys, slot, button in (
                ("back", ("Alt+Left",), lambda: self.go_to(self.current() - 1, check=False), self.back),
                ("next", ("Alt+Right",), self._on_forward, self.next),
                ("accept", ("Ctrl+Return", "Ctrl+Enter"), self._on_accept_key, None)):
            action = QAction(self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            self.keys[name] = action
            if button is not None:
                button.setToolTip(QKeySequence(keys[0]).toString(QKeySequence.SequenceFormat.NativeText))

    def _on_forward(self) -> None:
        if self.current() < len(self.pages) - 1:
            self.go_to(self.current() + 1)

    def _on_accept_key(self) -> None:
        """Ctrl+Enter: on the last page accept; elsewhere go there, checking every page on the way."""
        if self.current() == len(self.pages) - 1:
            self.accept_case()
        else:
            self.go_to(len(self.pages) - 1)

    # navigation

    def current(self) -> int:
        return self.stack.currentIndex()

    def page(self, name: str) -> Page:
        """The page named `name` (see PAGES)."""
        return self.pages[self.names.index(name)]

    def go_to(self, index: int, *, check: bool = True) -> bool:
        """Show page `index`; going forward first checks every page before it, the earlier ones too: an answer
        on a later page can make an earlier one incomplete (智力 as the category makes a guardian required)."""
        index = max(0, min(index, len(self.pages) - 1))
        if check:
            for page in range(index):
                if not self._page_ok(page):
                    return False
        self._show(index)
        return True

    def _show(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.steps.blockSignals(True)
        self.steps.setCurrentRow(index)
        self.steps.blockSignals(False)
        self.back.setEnabled(index > 0)
        last = index == len(self.pages) - 1
        missing = eligibility.missing_materials(self.ctx.service, self.case)
        self.next.setText(("受理（补正中）" if missing else "受理") if last else "下一步")
        self.next.setToolTip("Ctrl+Enter" if last else "Enter / Alt+→")
        self.pages[index].refresh(self.case)
        self.case.page = index
        if not self._loading_page:
            self.focus_first_field()
        self._set_error(None)
        self.save_now()

    def focus_first_field(self) -> None:
        """Put the cursor in the page's first input, so the clerk can type at once (Tab moves on)."""
        page = self.pages[self.current()]
        first = next((w for w in page.fields.values() if w.isEnabled() and w.isVisibleTo(page)), None)
        (first or page).setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_step_clicked(self, row: int) -> None:
        if row >= 0 and not self.go_to(row, check=row > self.current()):
            self.steps.blockSignals(True)
            self.steps.setCurrentRow(self.current())
            self.steps.blockSignals(False)

    def _on_next(self) -> None:
        if self.current() == len(self.pages) - 1:
            self.accept_case()
        else:
            self.go_to(self.current() + 1)

    def _page_ok(self, index: int) -> bool:
        errors = eligibility.page_errors(self.ctx.service, self.case, self.ctx.catalog, self.names[index])
        errors += self.pages[index].problems(self.case)  # e.g. a name that will not print (forms.namecheck)
        if self.names[index] == "applicant" and (refusal := self._area_refusal()):
            errors.append(refusal)  # a village agent hears it on this page, not after filling in every other
        if not errors:
            return True
        self._show(index) if index != self.current() else None
        self._set_error(errors[0])
        return False

    def _set_error(self, error: ValidationError | None) -> None:
        self.error.setVisible(error is not None)
        if error is None:
            return
        set_hint(self.error, error.message, error=True)
        widget = self.pages[self.current()].field_widget(error.field or "")
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Enter advances, except in multi-line text where it is a new line."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not isinstance(self.focusWidget(), QPlainTextEdit):
            self._on_next()
            return
        super().keyPressEvent(event)

    # saving and accepting

    def _on_page_edited(self) -> None:
        page = self.sender()
        page.save(self.case)
        for other in self.pages:
            if other is not page:
                other.refresh(self.case)
        page.refresh(self.case)
        self._save_timer.start()

    def _on_card_read(self, person: str, fields: list) -> None:
        """The timeline says which fields came from the ID card (never their values)."""
        self.save_now()
        self.store.record_event(self.case.uuid, "id_card_read", actor=self.actor or self.ctx.clerk,
                                detail={"person": person, "fields": list(fields)})

    def _open_services(self, id_number: str) -> set[int]:
        """The services of this person's other cases still open (for 将自动启动). Asked on every edit of the page,
        so it is looked up once per number, by the stored form the cases hold (an indexed read)."""
        number = idnumber.stored(id_number) if id_number else ""
        if not number:
            return set()
        if self._open_for[0] != number:
            rows = self.store.rows("id_number = ? AND state IN ('accepted', 'pending_materials', 'submitted', "
                                   "'in_progress', 'suspended') AND uuid != ?", [number, self.case.uuid])
            self._open_for = (number, {r["service"] for r in rows})
        return self._open_for[1]

    def _wire_consent(self) -> None:
        """The 委托书 loop: printed from the draft on the proxy page; once on paper, it may be ticked as signed."""
        page = next(p for p in self.pages if isinstance(p, ProxyPage))
        page.consent_requested.connect(self._on_consent_requested)
        page.sign_requested.connect(self._on_sign_requested)
        events = self.store.events(self.case.uuid)
        if forms_printing.is_reprint(events, "consent") or any(e["kind"] == "esign" for e in events):
            page.set_consent_printed()
        if self.case.mandate_signed and (signed := {d["digest"] for d in esign.latest(events).values()}):
            held = signed.pop()  # 已签署 rests on the on-screen signatures while they hold for what the case says
            self._signed_digest = held if not signed and held == self._consent_digest() else ""

    def _on_sign_requested(self) -> None:
        from desktop.ui import signing  # the signing screen is built on first use

        page = next(p for p in self.pages if isinstance(p, ProxyPage))
        if self.save_now():
            self.signing = signing.start(self, self.store, self.actor, self.case.uuid, page.sign_note,
                                         self._on_signed_on_screen)

    def _on_signed_on_screen(self) -> None:
        """The round is stored: tick 已签署, then save, which unticks it again if the case was edited meanwhile."""
        if self.signing is None:
            return
        self._signed_digest = self.signing.digest
        next(p for p in self.pages if isinstance(p, ProxyPage)).set_signed_on_screen()
        self.save_now()

    def _consent_digest(self) -> str:
        from desktop import forms  # the 委托书's modules load only for a case signed on screen

        return forms.consent_digest(self.case, self.ctx.catalog)

    def _drop_stale_signature(self) -> None:
        """An edit after the on-screen signing changed what the 委托书 says: those signatures no longer print
        (desktop/forms/esign.py), so 已签署 is unticked, with the reason, before the draft is written."""
        if self.case.state != "draft" or not self._signed_digest or self._consent_digest() == self._signed_digest:
            return
        self._signed_digest = ""
        self.case.mandate_signed = False
        next(p for p in self.pages if isinstance(p, ProxyPage)).set_signature_stale()

    def _on_consent_requested(self) -> None:
        from desktop.ui import printing as ui_printing  # QtPdf loads when a paper is first printed

        self.save_now()
        page = next(p for p in self.pages if isinstance(p, ProxyPage))

        def ready(dialog) -> None:
            dialog.recorded.connect(page.set_consent_printed)
            dialog.show()  # modeless, so the clerk can go on while the citizen signs
            self.consent_shown.emit(dialog)

        ui_printing.print_draft_consent(self, self.store, self.case.uuid, self.actor, ready)

    def save_now(self) -> bool:
        """Write the draft (called after edits settle, on page change, on close); False when the store refused
        (disk full, database locked): the clerk is told, what was typed stays on screen, the next edit retries."""
        self._save_timer.stop()
        if self.case.state != "draft":
            return True
        for page in self.pages:
            page.save(self.case)
        self._drop_stale_signature()
        try:
            self.store.save_draft(self.case)
        except DeskError as exc:
            self._set_error(ValidationError(f"草稿未能保存：{exc.message}。已填内容仍在本页，不会丢失。"))
            self._save_failed = True
            return False
        if self._save_failed:  # the store is back: the warning goes
            self._save_failed = False
            self._set_error(None)
        self.draft_saved.emit()
        return True

    def accept_case(self) -> None:
        if not self.save_now():
            return
        for index in range(len(self.pages)):
            if not self._page_ok(index):
                return
        pending = {mid: list(state.pending_docs) for mid, state in self.case.materials.items() if state.pending_docs}
        draft = Case.from_dict(self.case.to_dict())
        for state in draft.materials.values():
            state.pending_docs = []  # the accepted case holds filed scans in the documents table, not here
        try:
            accepted = self.store.accept(draft, actor=self.actor or self.ctx.clerk)
        except DeskError as exc:  # self.case is untouched: still a draft without a number, saved on every edit
            self._set_error(exc if isinstance(exc, ValidationError) else ValidationError(exc.message))
            return
        self.case = accepted  # swapped in only once the acceptance has committed
        self._file_dropped_scans(pending)
        self.accepted.emit(accepted.uuid)

    def _area_refusal(self) -> ValidationError | None:
        refusal = self.area_check(self.case) if self.area_check else None
        return ValidationError(refusal, field="applicant.township") if refusal else None

    def _file_dropped_scans(self, pending: dict[str, list[str]]) -> None:
        """File the scans dropped on materials while this was a draft; say which could not be (filed elsewhere)."""
        from desktop.intake import documents

        failed = []
        for material, docs in pending.items():
            for doc in docs:
                try:
                    documents.file(self.store, doc, self.case.uuid, material, actor=self.actor)
                except DeskError:
                    failed.append(doc)
        if failed:
            QMessageBox.warning(self, "扫描件未归档", f"{len(failed)} 件扫描件已不在收件箱中（可能已归档到别处），未归入本案件。")

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Closing the wizard saves the draft at once; the pending debounce timer must not outlive it."""
        self.save_now()
        super().closeEvent(event)

    def _on_discard(self) -> None:
        """Delete this draft after asking; an accepted case can only be terminated, never deleted."""
        name = self.case.applicant.name or "（未填姓名）"
        answer = QMessageBox.question(self, "删除草稿", f"确认删除 {name} 的“{self.ctx.service.name}”草稿？删除后不能恢复。")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._save_timer.stop()
        self.store.discard_draft(self.case.uuid)
        self.case.state = "discarded"  # nothing to save any more, even when the window closes
        self.closed.emit()

    def _on_close(self) -> None:
        self.save_now()
        self.closed.emit()
