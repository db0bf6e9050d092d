"""Wizard pages 3–6: eligibility (live), the materials checklist, linked services, review."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import eligibility
from desktop.domain.case import (
    APPLIED_BY,
    DELIVERY,
    PROXY_KINDS,
    RECEIVED,
    STAFF_PROXY_KINDS,
    Case,
    MaterialState,
)
from desktop.domain.catalog import NEEDS, Question
from desktop.domain.idnumber import mask_id, mask_phone, stored
from desktop.ui.pagebase import UNANSWERED, Page, WizardContext, hint_label, set_hint

MARKS = {True: "✔ 已核对", False: "✘ 不符合", None: "？ 待确认"}  # the sentence is the rule's `fail` text


class EligibilityPage(Page):
    """The service's questions; facts from the ID number shown, every rule evaluated as answers change."""

    title = "资格条件"

    def __init__(self, ctx: WizardContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        self.service_info = QLabel(service_html(ctx.service))
        self.service_info.setWordWrap(True)
        self.service_info.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.service_info)
        if ctx.service.auto_start:
            layout.addWidget(hint_label(ctx.service.auto_start))
        self.derived = hint_label()
        layout.addWidget(self.derived)
        box = QGroupBox("请逐项询问并选择")
        form = QFormLayout(box)
        self.inputs: dict[str, QWidget] = {}
        for qid in ctx.service.ask:
            q = ctx.catalog.questions[qid]
            widget = self._input(q)
            widget.setToolTip(q.help)
            form.addRow(QLabel(q.text), widget)
        layout.addWidget(box)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet("font-weight: bold")
        layout.addWidget(self.verdict)
        self.results = QLabel()
        self.results.setWordWrap(True)
        self.results.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.results)
        self.reason_label = hint_label("资格条件不符仍需受理时，请写明理由（将记录在案）：", error=True)
        self.reason = QPlainTextEdit()
        self.reason.setMaximumHeight(70)
        self.reason.textChanged.connect(self._on_edit)
        self.fields["ineligible_reason"] = self.reason
        layout.addWidget(self.reason_label)
        layout.addWidget(self.reason)
        layout.addStretch(1)

    def _input(self, q: Question) -> QWidget:
        field = f"answers.{q.id}"
        if q.type == "text":
            return self.line(field, "", 200)
        if q.type == "bool":
            return self.combo(field, [UNANSWERED, "是", "否"])
        if q.type == "int":
            return self.combo(field, [UNANSWERED, *(str(n) for n in range(q.min or 0, (q.max or 10) + 1))])
        return self.combo(field, [UNANSWERED, *q.options])

    def _load(self, case: Case) -> None:
        for qid in self.ctx.service.ask:
            widget = self.fields[f"answers.{qid}"]
            value = case.answers.get(qid)
            if isinstance(widget, QComboBox):
                text = {True: "是", False: "否", None: UNANSWERED}.get(value, str(value)) if not isinstance(value, int) or isinstance(value, bool) else str(value)
                widget.setCurrentIndex(max(0, widget.findText(text)))
            else:
                widget.setText(value or "")
        self.reason.setPlainText(case.ineligible_reason)

    def save(self, case: Case) -> None:
        for qid in self.ctx.service.ask:
            q = self.ctx.catalog.questions[qid]
            widget = self.fields[f"answers.{qid}"]
            text = widget.currentText() if isinstance(widget, QComboBox) else widget.text().strip()
            if text in (UNANSWERED, ""):
                case.answers.pop(qid, None)
            else:
                case.answers[qid] = {"bool": lambda t: t == "是", "int": int}.get(q.type, str)(text)
        case.ineligible_reason = self.reason.toPlainText().strip()

    def refresh(self, case: Case) -> None:
        fx = eligibility.facts(self.ctx.service, case)
        if fx.get("age") is not None:
            set_hint(self.derived, f"由身份证号码得出：{fx['age']}周岁，{fx['sex']}"
                     + ("，未成年" if fx["minor"] else ""), error=False)
        else:
            set_hint(self.derived, "身份证号码未填或有误：与年龄有关的条件待确认", error=True)
        results = eligibility.eligibility(self.ctx.service, case, fx)
        lines = [f"{MARKS[r.ok]}　{html.escape(r.fail)}" for r in results]
        self.results.setText("<br>".join(lines) or "本事项没有需要判断的资格条件")
        warning = excluded_by(self.ctx, case)
        self.verdict.setText(auto_started(self.ctx, case)
                             or "\n".join(t for t in (warning, verdict_text(self.ctx, results, fx)) if t))
        failing = any(r.ok is False for r in results)
        self.reason_label.setVisible(failing)
        self.reason.setVisible(failing)


def service_html(service) -> str:
    """承诺时限, departments, 办理层级 and the notice's 优化服务要求 of the service, for the clerk to read out."""
    e = html.escape
    rows = [("承诺时限", service.limit_words), ("承办部门", "、".join(service.departments)),
            ("办理层级", service.level), ("优化服务要求", service.requirement.replace("\n", " "))]
    return "<br>".join(f"<b>{e(k)}</b>：{e(v)}" for k, v in rows if v)


def auto_started(ctx: WizardContext, case: Case) -> str:
    """将自动启动 when a case of this person that starts this service by itself is open (低保, 残疾评定)."""
    starters = {s.number for s in ctx.catalog.services.values()
                for k in s.links if k.auto and k.service == ctx.service.number}
    if not starters or ctx.open_services is None:
        return ""
    running = sorted(ctx.open_services(case.applicant.id_number) & starters)
    if not running:
        return ""
    names = "、".join(ctx.catalog.services[n].name.removeprefix("我要") for n in running)
    return f"将自动启动：申请人的“{names}”正在办理中，本事项由承办部门一并办理，不需另行申请。"


def excluded_by(ctx: WizardContext, case: Case) -> str:
    """注意 when the person has an open case of a service that rules this one out (特困 for 两项补贴)."""
    links = [k for k in ctx.service.links if k.excludes]
    if not links or ctx.open_services is None:
        return ""
    running = ctx.open_services(case.applicant.id_number)
    return "\n".join(f"注意：申请人的“{ctx.catalog.services[k.service].name.removeprefix('我要')}”正在办理中。{k.reason}。"
                     for k in links if k.service in running)


def verdict_text(ctx: WizardContext, results, fx) -> str:
    """The eligibility verdict in words: 可申领 (with the items), 不符合 (with the reasons), or what is still open."""
    name = ctx.service.name.removeprefix("我要")
    if any(r.ok is False for r in results):
        return "不符合：" + name + "，原因：" + "；".join(r.fail for r in results if r.ok is False)
    if open_ := [r for r in results if r.ok is None]:
        asked = {ctx.catalog.questions[n].text for r in open_ for n in r.needs if n in ctx.catalog.questions}
        return "待确认：请先询问" + ("、".join(sorted(asked)) or "身份证号码")
    items = "、".join(i.name for i in eligibility.applicable_items(ctx.service, fx))
    return f"可申领：{items or name}"


class DropTable(QTableWidget):
    """The checklist table: inbox scans dropped on a row are `dropped(row, document ids)`."""

    dropped = Signal(int, list)

    def __init__(self, rows: int, columns: int):
        super().__init__(rows, columns)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)

    def _ids(self, event) -> list[str]:
        from desktop.ui.inbox import MIME

        data = event.mimeData()
        return bytes(data.data(MIME)).decode().split() if data.hasFormat(MIME) else []

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._ids(event):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._ids(event) and self.rowAt(event.position().toPoint().y()) >= 0:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        row = self.rowAt(event.position().toPoint().y())
        ids = self._ids(event)
        if ids and row >= 0:
            event.acceptProposedAction()
            self.dropped.emit(row, ids)


class MaterialsPage(Page):
    """The checklist for this case: each material received as original, copy or scan, or still missing."""

    title = "材料清单"
    COLUMNS = ("材料名称", "要求", "形式与份数", "接收情况", "份数")

    def __init__(self, ctx: WizardContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label("可从扫描收件箱把扫描件拖到对应材料上：记为扫描件，受理后自动归档。"))
        self.table = DropTable(0, len(self.COLUMNS))
        self.table.dropped.connect(self._on_dropped)
        self.table.setTabKeyNavigation(False)  # Tab walks the 接收情况/份数 editors row by row (keyboard use)
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(self.COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        self.summary = hint_label()
        layout.addWidget(self.summary)
        self._ids: list[str] = []
        self.pending: dict[str, list[str]] = {}  # material id → dropped scans, written into the draft by save()
        self.fields["materials"] = self.table

    def _load(self, case: Case) -> None:
        self.pending = {}
        self._rebuild(case)

    def _rebuild(self, case: Case) -> None:
        entries = eligibility.checklist(self.ctx.service, case)
        if [e.material.id for e in entries] == self._ids:
            for row, e in enumerate(entries):  # the same rows: only the rule outcome (要求) may have changed
                self.table.item(row, 1).setText(NEEDS.get(e.status, "视情况"))
            return
        self._ids = [e.material.id for e in entries]
        self.table.setRowCount(len(entries))
        for row, e in enumerate(entries):
            m = e.material
            name = QTableWidgetItem(m.name)
            name.setToolTip(m.note)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, QTableWidgetItem(NEEDS.get(e.status, "视情况")))
            self.table.setItem(row, 2, QTableWidgetItem(f"{m.form or '—'} {m.copies}份"))
            got = QComboBox()
            got.addItems(["未收", *RECEIVED.values()])
            got.setCurrentIndex(list(RECEIVED).index(e.received) + 1 if e.received in RECEIVED else 0)
            count = QSpinBox()
            count.setRange(0, 99)
            default = max(1, m.copies)
            count.setValue(e.count or (default if e.received else 0))
            got.currentIndexChanged.connect(lambda index, c=count, n=default: self._on_received(index, c, n))
            self.table.setCellWidget(row, 3, got)
            count.valueChanged.connect(self._on_edit)
            self.table.setCellWidget(row, 4, count)
            self.fields[f"materials.{m.id}"] = got
        self.table.resizeRowsToContents()
        # Tab from the table goes through each row's editors in order (cell widgets join the chain last otherwise)
        chain = [self.table, *(self.table.cellWidget(r, c) for r in range(len(entries)) for c in (3, 4))]
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)

    def _on_received(self, index: int, count: QSpinBox, default: int) -> None:
        """Receiving a material sets its count (the catalog's copies, at least 1; editable); 未收 clears it."""
        count.blockSignals(True)
        if index > 0 and count.value() == 0:
            count.setValue(default)
        elif index == 0:
            count.setValue(0)
        count.blockSignals(False)
        self._on_edit()

    def save(self, case: Case) -> None:
        for row, mid in enumerate(self._ids):
            got = self.table.cellWidget(row, 3)
            count = self.table.cellWidget(row, 4)
            received = list(RECEIVED)[got.currentIndex() - 1] if got.currentIndex() > 0 else ""
            old = case.materials.get(mid, MaterialState())
            pending = list(dict.fromkeys([*old.pending_docs, *self.pending.get(mid, [])]))
            case.materials[mid] = MaterialState(received=received, count=count.value() if received else 0,
                                                note=old.note, pending_docs=pending)

    def _on_dropped(self, row: int, ids: list[str]) -> None:
        """Scans dropped on a material: it counts as received (扫描件); they are filed when the case is accepted."""
        self.pending.setdefault(self._ids[row], []).extend(i for i in ids if i not in self.pending.get(self._ids[row], []))
        got = self.table.cellWidget(row, 3)
        if got.currentIndex() == 0:
            got.setCurrentIndex(list(RECEIVED).index("scan") + 1)
        self.edited.emit()

    def refresh(self, case: Case) -> None:
        self._loading = True
        try:
            self._rebuild(case)
        finally:
            self._loading = False
        missing = eligibility.missing_materials(self.ctx.service, case)
        if missing:
            names = "、".join(self.ctx.service.material(m).name for m in missing)
            set_hint(self.summary, f"缺 {len(missing)} 项必需材料：{names}。受理后案件为“补正中”，并出具一次性告知书。",
                     error=True)
        else:
            set_hint(self.summary, "必需材料已齐全，受理后案件为“已受理”。", error=False)


class LinksPage(Page):
    """Linked services the catalog offers for this case, each with its reason; ticked ones become linked cases."""

    title = "关联事项"

    def __init__(self, ctx: WizardContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.box = QVBoxLayout(self)
        self.box.addWidget(hint_label("以下事项可一并办理（共享申请人信息与已收材料，受理后生成关联草稿）："))
        self.checks: dict[int, QCheckBox] = {}
        self.empty = hint_label("本事项没有可一并办理的关联事项。")
        self.box.addWidget(self.empty)
        self.auto = hint_label()  # services that start by themselves: said, not offered as a new case
        self.auto.setTextFormat(Qt.TextFormat.RichText)
        self.box.addWidget(self.auto)
        self.box.addStretch(1)

    def _sync_checks(self, case: Case) -> None:
        offered = eligibility.offered_links(self.ctx.service, case, self.ctx.catalog)
        numbers = [n for n, _, _ in offered]
        for number in list(self.checks):
            if number not in numbers:
                self.checks.pop(number).deleteLater()
        auto = {k.service for k in self.ctx.service.links if k.auto}  # excludes links are never offered
        offered = [o for o in offered if o[0] not in auto]
        self.auto.setText("<br>".join(f"将自动启动：{html.escape(self.ctx.catalog.services[n].name)}（{html.escape(r)}）"
                                      for n, r, v in eligibility.offered_links(self.ctx.service, case, self.ctx.catalog)
                                      if n in auto))
        self.auto.setVisible(bool(self.auto.text()))
        for index, (number, reason, verdict) in enumerate(offered):
            if number not in self.checks:
                check = QCheckBox()
                check.toggled.connect(self._on_edit)
                self.box.insertWidget(1 + index, check)
                self.checks[number] = check
            name = self.ctx.catalog.services[number].name  # the label follows the current answers
            self.checks[number].setText(f"{name}　—　{reason}" + ("（视情况，可能适用）" if verdict is None else ""))
        self.fields["linked_services"] = next(iter(self.checks.values()), self.empty)
        self.empty.setVisible(not self.checks)

    def _load(self, case: Case) -> None:
        self._sync_checks(case)
        for number, check in self.checks.items():
            check.setChecked(number in case.linked_services)

    def save(self, case: Case) -> None:
        case.linked_services = [n for n, c in self.checks.items() if c.isChecked()]

    def refresh(self, case: Case) -> None:
        self._loading = True
        try:
            self._sync_checks(case)
        finally:
            self._loading = False


class ReviewPage(Page):
    """Everything on one page before acceptance; personal numbers masked."""

    title = "核对受理"

    def __init__(self, ctx: WizardContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        self.view = QTextBrowser()
        layout.addWidget(self.view)

    def refresh(self, case: Case) -> None:
        self.view.setHtml(review_html(self.ctx, case))


def review_html(ctx: WizardContext, case: Case) -> str:
    s, e = ctx.service, html.escape
    a = case.applicant
    rows = [("一件事", f"{s.number}. {s.name}（{s.group}）"),
            ("申请人", f"{a.name}　{mask_id(stored(a.id_number))}　{mask_phone(a.phone) if a.phone else ''}"),
            ("住址", a.address if a.address.startswith(a.township) else f"{a.township}{a.village}　{a.address}")]
    if case.guardian and not case.guardian.is_empty():
        rows.append(("监护人", f"{case.guardian.name}（{case.guardian.relation}）　{mask_id(stored(case.guardian.id_number))}"))
    how = APPLIED_BY.get(case.applied_by, "")
    if case.is_proxy and case.proxy:
        related = f"（{case.proxy.relation}）" if case.proxy.relation and case.proxy_kind not in STAFF_PROXY_KINDS else ""
        how += f"：{PROXY_KINDS.get(case.proxy_kind, '')} {case.proxy.name}{related}" + ("，已签委托书" if case.mandate_signed else "")
    rows += [("申请方式", how), ("办理方式", case.method),
             ("结果领取方式", DELIVERY.get(case.delivery, "") or "窗口自取"), ("承诺时限", s.limit_words)]
    fx = eligibility.facts(s, case)
    rows.append(("办理事项", "、".join(f"{i.name}（{i.code or '无编码'}）" for i in eligibility.applicable_items(s, fx))))
    missing = eligibility.missing_materials(s, case)
    rows.append(("材料", "缺：" + "、".join(s.material(m).name for m in missing) if missing else "齐全"))
    if case.ineligible_reason:
        rows.append(("资格不符理由", case.ineligible_reason))
    if case.linked_services:
        rows.append(("一并办理", "、".join(ctx.catalog.services[n].name for n in case.linked_services)))
    body = "".join(f"<tr><th align=left>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
    state = ("补正中（出具收件凭证和一次性告知书）" if missing and not eligibility.tolerated(s, missing)
             else "已受理（容缺受理，出具受理回执和一次性告知书）" if missing else "已受理")
    return f"<table cellpadding=6>{body}</table><p><b>点击“受理”后，案件状态为：{state}</b></p>"
