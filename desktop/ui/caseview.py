"""The case view: all data, each item with status and due date (overdue in red), the timeline, the actions."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import eligibility, overdue, states, views, wording
from desktop.domain.errors import DeskError
from desktop.domain.labels import STATES
from desktop.intake import documents
from desktop.storage.store import Store
from desktop.sync import state as syncstate


class CaseView(QWidget):
    """Shows one case; `print_requested(uuid, kind)` when a print button is pressed."""

    print_requested = Signal(str, str)
    draft_resumed = Signal(str)

    def __init__(self, store: Store, window, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.window_ = store, window  # the main window holds the session and the accounts
        self.uuid = ""
        self.linked: list[dict] = []  # the shown case's linked cases (store rows), for the banner and 一并办理
        self.header = QLabel()
        self.header.setProperty("role", "title")
        self.banner = QLabel()
        self.banner.setProperty("role", "hint")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.body = QTextBrowser()
        self.body.setOpenLinks(False)  # a linked case's link opens it here (case:UUID), never in a browser
        self.body.anchorClicked.connect(self._on_link)
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
        self.print_key = QAction(self)  # Ctrl+P: the receipt, the paper every accepted case gives first
        self.print_key.setShortcut(QKeySequence.StandardKey.Print)
        self.print_key.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.print_key.triggered.connect(self._on_print_key)
        self.addAction(self.print_key)

    def _on_link(self, url) -> None:
        if url.scheme() == "case":
            self.draft_resumed.emit(url.path())  # the window opens a draft in the wizard, a case here

    def _on_print_key(self) -> None:
        if self.uuid and self.print_row.count():
            self.print_requested.emit(self.uuid, "receipt")

    def show_case(self, uuid: str) -> None:
        self.uuid = uuid
        case = self.store.load(uuid)
        names = self.window_.accounts.names()
        events = [{**e, "actor": names.get(e["actor"], e["actor"])} for e in self.store.events(uuid)]
        data = views.detail(case, self.store.service_for(case), events)
        sync = syncstate.CASE_STATE_LABELS.get(syncstate.case_states(self.store.db, [uuid]).get(uuid, ""), "")
        self.header.setText(f"{data['number'] or '草稿'}　{data['state_label']}　{data['service_name']}"
                            + (f"　［{sync}］" if sync else ""))
        self.scans = documents.for_case(self.store, uuid)
        self.refused = any(e["kind"] == "refuse" for e in events)
        names = {m["id"]: m["name"] for m in data["materials"]}
        self.linked = self.store.rows(f"uuid IN ({','.join('?' * len(case.linked_cases))})", case.linked_cases,
                                      order="service") if case.linked_cases else []
        self.body.setHtml(case_html(data, linked_html(self.linked, self.store.catalog_names() if self.linked else {}))
                          + scans_html(self.scans, names))
        self.banner.setVisible(False)
        self._buttons(case)

    def refresh(self) -> None:
        """Redraw the shown case after a change (a department's status, a filed scan), keeping the banner
        and where the clerk had scrolled to."""
        bar = self.body.verticalScrollBar()
        position, banner = bar.value(), not self.banner.isHidden()
        self.show_case(self.uuid)
        self.banner.setVisible(banner)
        bar.setValue(position)

    def offer_prints(self, case) -> None:
        """Right after acceptance: say which papers the citizen gets now."""
        receipt = "收件凭证" if case.state == "pending_materials" else "受理回执"
        papers = [receipt] + (["委托书"] if case.is_proxy else []) + (["一次性告知书"] if case.missing else [])
        drafts = "、".join(self.store.catalog_names().get(r["service"], str(r["service"]))
                           for r in self.linked if r["state"] == "draft")
        self.banner.setText(f"✔ 已{'收件' if receipt == '收件凭证' else '受理'} {case.number}。请打印并交给申请人：{'、'.join(papers)}。"
                            + (f"已生成一并办理的草稿：{drafts}，请点下方“一并办理”中的“继续办理”。" if drafts else ""))
        self.banner.setVisible(True)

    def _print_kinds(self, case) -> list[tuple[str, str]]:
        kinds = [("receipt", "打印收件凭证" if case.state == "pending_materials" else "打印受理回执")]
        if case.is_proxy:
            kinds.append(("consent", "打印委托书"))
        if case.missing:
            kinds.append(("notice", "打印一次性告知书"))
        kinds.append(("cover", "打印材料封面"))
        slip = {"suspended": ("suspend", "打印中止单"), "completed": ("close", "打印办结单"),
                "terminated": ("close", "打印终止单")}.get(case.state)
        if case.state == "terminated" and getattr(self, "refused", False):
            slip = ("refusal", "打印不予受理通知书")
        return kinds + ([slip] if slip else [])

    def _buttons(self, case) -> None:
        state = case.state
        for row in (self.actions_row, self.print_row):
            while row.count():
                item = row.takeAt(0)
                if widget := item.widget():
                    widget.hide()  # at once: deleteLater waits for the event loop, and a grab or paint before it
                    widget.deleteLater()  # showed the old row's buttons under the new ones
        if state == "draft":
            button = QPushButton("继续填写")
            button.clicked.connect(lambda: self.draft_resumed.emit(self.uuid))
            self.actions_row.addWidget(button)
            return
        for kind, label in self._print_kinds(case):
            button = QPushButton(label + ("（Ctrl+P）" if kind == "receipt" else ""))
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
        if state != "draft":
            rate = QPushButton("请群众评价")
            rate.setToolTip("好差评：在面向群众的屏幕上评价；没有第二块屏幕时打印评价表")
            rate.clicked.connect(self._rate)
            self.actions_row.addWidget(rate)
        for action in states.allowed_actions(state):
            button = QPushButton(action.label)
            button.clicked.connect(lambda _=False, a=action: self._do(a))
            self.actions_row.addWidget(button)
        self.actions_row.addStretch(1)

    def _do(self, action: states.Action) -> None:
        if action.name == "materials_received":
            return self._supplement()
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

    def _rate(self) -> None:
        from desktop.ui import rating  # the citizen's screen is built on first use

        try:
            self.window_.accounts.require(self.window_.session, "case.transition", self._row())
        except DeskError as exc:
            return QMessageBox.warning(self, "群众评价", exc.message)
        if getattr(self, "rating", None) is not None:
            self.rating.close()  # the previous citizen's screen, if still open
        self.rating = rating.ask(self, self.store, self.window_.session.username, self.uuid)
        if self.rating is None:  # no citizen's screen: the paper form; a stored rating redraws via the fan-out
            self.print_requested.emit(self.uuid, "rating")

    def _supplement(self) -> None:
        """补正: which missing materials arrived; the case becomes 已受理 only when none required is missing."""
        from desktop.intake import supplement
        from desktop.ui.supplement import SupplementDialog

        case = self.store.load(self.uuid)
        dialog = SupplementDialog(self.store.catalog_for(case).service(case.service), case, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            self.window_.accounts.require(self.window_.session, "case.transition", self._row())
            supplement.receive(self.store, self.uuid, dialog.received(), actor=self.window_.session.username)
        except DeskError as exc:
            QMessageBox.warning(self, "登记补正材料", exc.message)
        self.show_case(self.uuid)

    def _remove_scan(self) -> None:
        """Take a wrongly filed scan off the case: it goes back to the inbox, and the timeline says so."""
        case = self.store.load(self.uuid)
        service = self.store.catalog_for(case).service(case.service)
        materials = {m.id: m.name for m in service.materials}
        labels = [f"{materials.get(d.material_id, '（未指定材料）')}　{d.original_name}　{d.pages}页" for d in self.scans]
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
        entries = eligibility.checklist(self.store.catalog_for(case).service(case.service), case)
        names = [e.material.name for e in entries]
        name, ok = QInputDialog.getItem(self, "归档扫描件", f"把 {len(ids)} 件扫描件归档到哪项材料？", names, 0, False)
        if not ok:
            return
        material = entries[names.index(name)].material.id
        filed = 0
        try:
            for doc_id in ids:
                documents.file(self.store, doc_id, self.uuid, material, actor=self.window_.session.username)
                filed += 1
        except DeskError as exc:
            QMessageBox.warning(self, "无法归档", exc.message)
        event.acceptProposedAction()
        self.show_case(self.uuid)  # the inbox and the other views hear of it from the store (MainWindow fan-out)
        if filed:
            self.banner.setText(f"✔ 已把 {filed} 件扫描件归档到“{name}”，见下方“扫描件”。")
            self.banner.setVisible(True)

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


def case_html(d: dict, linked: str = "") -> str:
    e = html.escape
    a = d["applicant"]
    place = a["address"] if a["address"].startswith(a["township"]) else f"{a['township']}{a['village']}　{a['address']}"
    accepted = wording.local_time(d["accepted_at"]) if d["accepted_at"] else ""
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
        f"<td style='color:{'#b00020' if _overdue(i, d['state']) else 'black'}'>{e(i['due_date'] or '—')}"
        f"{'（预计）' if i.get('estimate') else ''}{'（已超期）' if _overdue(i, d['state']) else ''}"
        f"{'（已中止，剩余' + e(i['paused_remaining']) + '，续办后顺延）' if i.get('paused_remaining') else ''}</td></tr>"
        for i in d["items"])
    mats = "".join(f"<tr><td>{e(m['name'])}</td><td>{e(m['received_label'])}</td><td>{m['count'] or ''}</td></tr>"
                   for m in d["materials"])
    events = "".join(f"<li>{e(wording.local_time(ev['at']))}　{e(wording.event_label(ev['kind']))}"
                     f"　{e(ev['actor'])}{('　' + e(ev['detail'].get('reason', ''))) if ev['detail'].get('reason') else ''}</li>"
                     for ev in d["events"])
    return (f"{people}<h3>办理事项</h3><table border=1 cellpadding=4 cellspacing=0>"
            f"<tr><th>事项</th><th>编码</th><th>状态</th><th>办结期限</th></tr>{items}</table>"
            + (f"<h3>公示</h3><p>{e(d['publicity'])}</p>" + "".join(  # 审核 → 公示 → 审批: beside the items
                f"<p>异议{n}：{e(o)}</p>" for n, o in enumerate(d["objections"], 1)) if d.get("publicity") else "")
            + f"<h3>材料</h3><table border=1 cellpadding=4 cellspacing=0><tr><th>材料</th><th>接收</th><th>份数</th></tr>{mats}</table>"
            + (f"<h3>群众评价与回访</h3><ul>{''.join(f'<li>{e(t)}</li>' for t in d['feedback'])}</ul>"
               if d.get("feedback") else "")
            + linked + f"<h3>办理记录</h3><ul>{events}</ul>")


def linked_html(rows: list, names: dict[int, str]) -> str:
    """The services chosen to be done together: each linked case with its state, a draft with 继续办理."""
    if not rows:
        return ""
    e = html.escape
    lines = "".join(f"<li>{e(names.get(r['service'], str(r['service'])))}　{e(r['number'] or '')}　{e(STATES[r['state']])}"
                    f"　<a href='case:{e(r['uuid'])}'>{'继续办理' if r['state'] == 'draft' else '查看'}</a></li>"
                    for r in rows)
    return f"<h3>一并办理</h3><ul>{lines}</ul>"


def scans_html(scans: list, names: dict[str, str]) -> str:
    """The scans filed under each material, with pages and when they came in."""
    if not scans:
        return ""
    e = html.escape
    rows = "".join(f"<tr><td>{e(names.get(d.material_id, '（未指定材料）'))}</td><td>{e(d.original_name)}</td>"
                   f"<td>{d.pages}</td><td>{e(wording.local_time(d.filed_at))}</td></tr>" for d in scans)
    return (f"<h3>扫描件</h3><table border=1 cellpadding=4 cellspacing=0><tr><th>材料</th><th>文件</th><th>页数</th>"
            f"<th>归档时间</th></tr>{rows}</table>")


def _overdue(item: dict, case_state: str) -> bool:
    return overdue.item_overdue(case_state, item["status"], item["due_date"], dt.date.today())  # as the ledger
