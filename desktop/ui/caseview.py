"""The case view: all data, each item with status and due date (overdue in red), the timeline, the actions."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import eligibility, states, views
from desktop.domain.errors import DeskError
from desktop.intake import documents
from desktop.storage.store import Store
from desktop.sync import state as syncstate

KIND_LABELS = {
    "accepted": "受理", "materials_received": "补正材料收齐", "submit": "提交部门", "start": "部门办理",
    "complete": "办结", "suspend": "中止", "resume": "续办", "terminate": "终止", "printed": "打印",
    "created_linked": "由关联事项生成", "status_from_hub": "部门状态更新", "scan_filed": "扫描件归档",
    "scan_filed_cover": "扫描件按封面归档", "scan_removed": "移除扫描件", "hub_status": "部门办理状态（县级服务器）",
    "sync_conflict_keep_local": "同步冲突：以本机为准", "sync_conflict_take_hub": "同步冲突：采用服务器版本",
    "sync_rejection_reviewed": "服务器拒收：已查看", "hub_status_conflict": "部门状态与本机矛盾（未改动）",
    "hub_status_conflict_dismissed": "部门状态矛盾：已核对，保留本机状态",
}


class CaseView(QWidget):
    """Shows one case; `print_requested(uuid, kind)` when a print button is pressed."""

    print_requested = Signal(str, str)
    draft_resumed = Signal(str)

    def __init__(self, store: Store, window, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.window_ = store, window  # the main window holds the session and the accounts
        self.uuid = ""
        self.header = QLabel()
        self.header.setProperty("role", "title")
        self.banner = QLabel()
        self.banner.setProperty("role", "hint")
        self.banner.setVisible(False)
        self.body = QTextBrowser()
        self.actions_row = QHBoxLayout()
        self.print_row = QHBoxLayout()
        self.body.setAcceptDrops(False)  # scans dropped anywhere on the case go to dropEvent below
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(self.body, 1)
        layout.addLayout(self.print_row)
        layout.addLayout(self.actions_row)

    def show_case(self, uuid: str) -> None:
        self.uuid = uuid
        case = self.store.load(uuid)
        names = self.window_.accounts.names()
        events = [{**e, "actor": names.get(e["actor"], e["actor"])} for e in self.store.events(uuid)]
        data = views.detail(case, self.store.catalog, events)
        sync = syncstate.CASE_STATE_LABELS.get(syncstate.case_states(self.store.db, [uuid]).get(uuid, ""), "")
        self.header.setText(f"{data['number'] or '草稿'}　{data['state_label']}　{data['service_name']}"
                            + (f"　［{sync}］" if sync else ""))
        self.scans = documents.for_case(self.store, uuid)
        names = {m["id"]: m["name"] for m in data["materials"]}
        self.body.setHtml(case_html(data) + scans_html(self.scans, names))
        self.banner.setVisible(False)
        self._buttons(case)

    def offer_prints(self, case) -> None:
        """Right after acceptance: say which papers the citizen gets now."""
        papers = ["受理回执"] + (["委托书"] if case.is_proxy else []) + (["一次性告知书"] if case.missing else [])
        self.banner.setText(f"✔ 已受理 {case.number}。请打印并交给申请人：{'、'.join(papers)}。")
        self.banner.setVisible(True)

    def _print_kinds(self, case) -> list[tuple[str, str]]:
        kinds = [("receipt", "打印受理回执")]
        if case.is_proxy:
            kinds.append(("consent", "打印委托书"))
        if case.missing:
            kinds.append(("notice", "打印一次性告知书"))
        kinds.append(("cover", "打印材料封面"))
        slip = {"suspended": ("suspend", "打印中止单"), "completed": ("close", "打印办结单"),
                "terminated": ("close", "打印终止单")}.get(case.state)
        return kinds + ([slip] if slip else [])

    def _buttons(self, case) -> None:
        state = case.state
        for row in (self.actions_row, self.print_row):
            while row.count():
                item = row.takeAt(0)
                if item.widget():
                    item.widget().deleteLater()
        if state == "draft":
            button = QPushButton("继续填写")
            button.clicked.connect(lambda: self.draft_resumed.emit(self.uuid))
            self.actions_row.addWidget(button)
            return
        for kind, label in self._print_kinds(case):
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, k=kind: self.print_requested.emit(self.uuid, k))
            self.print_row.addWidget(button)
        self.print_row.addStretch(1)
        if self.scans:
            remove = QPushButton("移除扫描件…")
            remove.clicked.connect(self._remove_scan)
            self.print_row.addWidget(remove)
        reveal = QPushButton("显示完整身份证号")
        reveal.setToolTip("仅显示一次，并记入审计记录")
        reveal.clicked.connect(self._reveal)
        self.print_row.addWidget(reveal)
        for action in states.allowed_actions(state):
            button = QPushButton(action.label)
            button.clicked.connect(lambda _=False, a=action: self._do(a))
            self.actions_row.addWidget(button)
        self.actions_row.addStretch(1)

    def _do(self, action: states.Action) -> None:
        reason = ""
        if action.needs_reason:
            reason, ok = QInputDialog.getText(self, action.label, f"请填写{action.label}的原因：")
            if not ok:
                return
        elif QMessageBox.question(self, action.label, f"确认将本案件{action.label}？") != QMessageBox.StandardButton.Yes:
            return
        try:
            self.window_.accounts.require(self.window_.session, "case.transition", self._row())
            self.store.transition(self.uuid, action.name, actor=self.window_.session.username, reason=reason)
        except DeskError as exc:
            QMessageBox.warning(self, action.label, exc.message)
        self.show_case(self.uuid)

    def _remove_scan(self) -> None:
        """Take a wrongly filed scan off the case: it goes back to the inbox, and the timeline says so."""
        labels = [f"{d.material_id}　{d.original_name}　{d.pages}页" for d in self.scans]
        choice, ok = QInputDialog.getItem(self, "移除扫描件", "选择要移除的扫描件：", labels, 0, False)
        if not ok:
            return
        reason, ok = QInputDialog.getText(self, "移除扫描件", "移除原因（如：归错案件、扫描不清）：")
        if not ok:
            return
        doc = self.scans[labels.index(choice)]
        try:
            documents.remove(self.store, doc.id, reason=reason, actor=self.window_.session.username)
        except DeskError as exc:
            QMessageBox.warning(self, "无法移除", exc.message)
        self.show_case(self.uuid)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        from desktop.ui.inbox import MIME

        if event.mimeData().hasFormat(MIME) and self.uuid:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Scans dragged from the inbox: ask which material, then file them under it."""
        from desktop.ui.inbox import MIME

        ids = bytes(event.mimeData().data(MIME)).decode().split()
        case = self.store.load(self.uuid)
        entries = eligibility.checklist(self.store.catalog.service(case.service), case)
        names = [e.material.name for e in entries]
        name, ok = QInputDialog.getItem(self, "归档扫描件", f"把 {len(ids)} 件扫描件归档到哪项材料？", names, 0, False)
        if not ok:
            return
        material = entries[names.index(name)].material.id
        try:
            for doc_id in ids:
                documents.file(self.store, doc_id, self.uuid, material, actor=self.window_.session.username)
        except DeskError as exc:
            QMessageBox.warning(self, "无法归档", exc.message)
        event.acceptProposedAction()
        self.show_case(self.uuid)
        if self.window_._inbox is not None:
            self.window_._inbox.reload()

    def _row(self):
        return next(iter(self.store.rows("uuid = ?", [self.uuid])), None)

    def _reveal(self) -> None:
        """One number of one case in full, for this person only, recorded in the audit trail."""
        try:
            value = self.window_.accounts.reveal(self.window_.session, self.uuid, "applicant.id_number")
        except DeskError as exc:
            QMessageBox.warning(self, "无法显示", exc.message)
            return
        QMessageBox.information(self, "完整身份证号码（已记入审计）", value or "（未填写）")


def case_html(d: dict) -> str:
    e = html.escape
    a = d["applicant"]
    today = dt.date.today().isoformat()
    place = a["address"] if a["address"].startswith(a["township"]) else f"{a['township']}{a['village']}　{a['address']}"
    accepted = (d["accepted_at"] or "")[:16].replace("T", " ")
    people = (f"<p><b>受理</b>　{e(accepted or '—')}　{e(d['office'])}　窗口 {e(d['window'] or '—')}　经办人 {e(d['clerk'])}<br>"
              f"<b>申请人</b>　{e(a['name'])}　{e(a['id_number'])}　{e(a['phone'])}<br>{e(place)}")
    if d["guardian"]:
        g = d["guardian"]
        people += f"<br><b>监护人</b>　{e(g['name'])}（{e(g['relation'])}）　{e(g['id_number'])}"
    if d["proxy"]:
        people += f"<br><b>代办人</b>　{e(d['proxy_kind_label'])} {e(d['proxy']['name'])}"
    people += f"<br><b>办理方式</b>　{e(d['method'])}　{e(d['applied_by_label'])}</p>"
    items = "".join(
        f"<tr><td>{e(i['name'])}</td><td>{e(i['code'] or '无编码')}</td><td>{e(i['status_label'])}</td>"
        f"<td style='color:{'#b00020' if _overdue(i, today) else 'black'}'>{e(i['due_date'] or '—')}"
        f"{'（预计）' if i.get('estimate') else ''}{'（已超期）' if _overdue(i, today) else ''}</td></tr>"
        for i in d["items"])
    mats = "".join(f"<tr><td>{e(m['name'])}</td><td>{e(m['received_label'])}</td><td>{m['count'] or ''}</td></tr>"
                   for m in d["materials"])
    events = "".join(f"<li>{e(ev['at'][:16].replace('T', ' '))}　{e(KIND_LABELS.get(ev['kind'], ev['kind']))}"
                     f"　{e(ev['actor'])}{('　' + e(ev['detail'].get('reason', ''))) if ev['detail'].get('reason') else ''}</li>"
                     for ev in d["events"])
    return (f"{people}<h3>办理事项</h3><table border=1 cellpadding=4 cellspacing=0>"
            f"<tr><th>事项</th><th>编码</th><th>状态</th><th>办结期限</th></tr>{items}</table>"
            f"<h3>材料</h3><table border=1 cellpadding=4 cellspacing=0><tr><th>材料</th><th>接收</th><th>份数</th></tr>{mats}</table>"
            f"<h3>办理记录</h3><ul>{events}</ul>")


def scans_html(scans: list, names: dict[str, str]) -> str:
    """The scans filed under each material, with pages and when they came in."""
    if not scans:
        return ""
    e = html.escape
    rows = "".join(f"<tr><td>{e(names.get(d.material_id, d.material_id or ''))}</td><td>{e(d.original_name)}</td>"
                   f"<td>{d.pages}</td><td>{e((d.filed_at or '')[:16].replace('T', ' '))}</td></tr>" for d in scans)
    return (f"<h3>扫描件</h3><table border=1 cellpadding=4 cellspacing=0><tr><th>材料</th><th>文件</th><th>页数</th>"
            f"<th>归档时间</th></tr>{rows}</table>")


def _overdue(item: dict, today: str) -> bool:
    return bool(item["due_date"] and item["due_date"] < today and item["status"] in ("accepted", "submitted", "in_progress"))
