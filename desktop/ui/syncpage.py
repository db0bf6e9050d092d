"""Where the clerk sees and resolves what sync could not do: conflicts with the hub, cases the hub refused,
department statuses that contradict what the clerk did (both sides in the reason)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from desktop.storage.store import Store
from desktop.sync import state as syncstate
from desktop.ui.pagebase import hint_label, set_hint
from desktop.ui.staff import fill, table

KINDS = {"conflict": "冲突", "rejected": "服务器拒收", "status_conflict": "部门状态与本机矛盾"}
ACTIONS = {
    "conflict": (("keep_local", "以本机为准重新上传"), ("take_hub", "采用服务器版本")),
    "rejected": (("dismiss", "已查看，暂不上传"),),
    "status_conflict": (("dismiss", "已核对，保留本机状态"),),
}


class SyncProblemsPage(QWidget):
    """Open conflicts and rejections, each with its reason; nothing is overwritten without the clerk's choice."""

    def __init__(self, store: Store, actor: str, runner, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor, self.runner = store, actor, runner
        title = QLabel("同步问题")
        title.setProperty("role", "title")
        self.status = hint_label()
        self.table = table(["受理编号", "问题", "原因", "本机版本", "服务器版本", "时间"])
        self.message = hint_label()
        buttons = QHBoxLayout()
        now = QPushButton("立即同步")
        now.clicked.connect(runner.sync_now)
        buttons.addWidget(now)
        self.resolve_buttons: list[QPushButton] = []
        for kind in ACTIONS:
            for action, text in ACTIONS[kind]:
                button = QPushButton(text)
                button.clicked.connect(lambda _=False, a=action, k=kind: self.resolve(k, a))
                buttons.addWidget(button)
                self.resolve_buttons.append(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self.reload()

    def show_status(self, status) -> None:
        set_hint(self.status, status.summary(), error=bool(status.last_error or status.auth_required))

    def reload(self) -> None:
        self.problems = syncstate.problems(self.store.db)
        fill(self.table, [[p.get("number") or p["case_uuid"], KINDS.get(p["kind"], p["kind"]), p.get("reason") or "",
                           str(p.get("revision") or ""), str(p.get("hub_revision") or ""), (p.get("at") or "")[:16]]
                          for p in self.problems])
        if not self.problems:
            set_hint(self.message, "没有待处理的同步问题。", error=False)

    def resolve(self, kind: str, action: str) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.problems):
            set_hint(self.message, "请先在列表中选择一件", error=True)
            return
        problem = self.problems[row]
        if problem["kind"] != kind:
            set_hint(self.message, f"所选案件的问题是“{KINDS.get(problem['kind'])}”，请用对应的按钮", error=True)
            return
        question = f"确认对 {problem.get('number')} 执行：{dict(ACTIONS[kind])[action]}？"
        if QMessageBox.question(self, "处理同步问题", question) != QMessageBox.StandardButton.Yes:
            return
        set_hint(self.message, "正在处理…", error=False)
        self.runner.resolve(problem["case_uuid"], action, self.actor, self._resolved)

    def _resolved(self, failure: str | None) -> None:
        if failure:
            set_hint(self.message, failure, error=True)
            return
        set_hint(self.message, "已处理；下一次同步时生效。", error=False)
        self.reload()
