"""维护: the scheduled backup (folder, schedule, how many to keep; the last backup and its status; 立即备份 with
a progress bar), the database check's last result, and the 设备移交单 of `handover check`. For administrators."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.accounts import roles
from desktop.accounts.staff import Accounts
from desktop.domain.errors import DeskError
from desktop.forms.page import fmt_time
from desktop.storage import backupplan, settings
from desktop.storage.store import Store
from desktop.ui import worker
from desktop.ui.backuprun import ScheduledBackup
from desktop.ui.pagebase import hint_label, set_hint

SCHEDULES = (("daily", "每天下班时"), ("hours", "每隔几小时"))


class MaintenanceDialog(QDialog):
    """The administrator's maintenance screen; the backup runs in `backups` (the desk's scheduler)."""

    def __init__(self, store: Store, session: roles.Session, accounts: Accounts, backups: ScheduledBackup,
                 *, db_check: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.session, self.accounts, self.backups = store, session, accounts, backups
        self.setWindowTitle("维护")
        self.setMinimumWidth(720)
        layout = QVBoxLayout(self)
        layout.addWidget(self._backup_box())
        layout.addWidget(self._handover_box())
        if db_check:
            layout.addWidget(hint_label(db_check))
        layout.addStretch(1)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        backups.progressed.connect(self._on_progress)
        backups.finished.connect(self._on_finished)
        self.show_status()

    def _backup_box(self) -> QGroupBox:
        values = settings.get_all(self.store.db)
        box = QGroupBox("定时备份（加密，写入U盘等文件夹）")
        form = QFormLayout(box)
        self.folder = QLineEdit(values["backup_folder"])
        self.folder.setPlaceholderText(settings.SETTINGS["backup_folder"].hint)
        browse = QPushButton("选择…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form.addRow("备份文件夹", row)
        self.schedule = QComboBox()
        for key, label in SCHEDULES:
            self.schedule.addItem(label, key)
        self.schedule.setCurrentIndex(next(i for i, (k, _) in enumerate(SCHEDULES) if k == values["backup_schedule"]))
        self.time = QLineEdit(values["backup_time"])
        self.time.setPlaceholderText("如 17:30")
        self.time.setMaximumWidth(90)
        self.hours = _spin(1, 24, values["backup_hours"], " 小时")
        when = QHBoxLayout()
        for widget in (self.schedule, QLabel("时间"), self.time, QLabel("或每隔"), self.hours):
            when.addWidget(widget)
        when.addStretch(1)
        form.addRow("备份时间", when)
        self.schedule.currentIndexChanged.connect(self._on_schedule)
        self._on_schedule()
        self.keep = _spin(1, 99, values["backup_keep"], " 份")
        form.addRow("保留最近", self.keep)
        self.error = hint_label(error=True)
        self.error.setVisible(False)
        form.addRow("", self.error)
        self.last = QLabel()
        self.last.setWordWrap(True)
        form.addRow("最近备份", self.last)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.save_button = QPushButton("保存设置")
        self.save_button.clicked.connect(self.save)
        self.now_button = QPushButton("立即备份")
        self.now_button.clicked.connect(self.back_up_now)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.now_button)
        form.addRow("", buttons)
        return box

    def _handover_box(self) -> QGroupBox:
        box = QGroupBox("设备移交")
        row = QHBoxLayout(box)
        row.addWidget(hint_label("笔记本电脑交给他人或停用前：先同步、备份，再检查并打印设备移交单交负责人签字。"), 1)
        self.handover_button = QPushButton("检查并打印设备移交单…")
        self.handover_button.clicked.connect(self.print_handover)
        row.addWidget(self.handover_button)
        return box

    def _on_schedule(self) -> None:
        """Only the field of the chosen schedule can be edited."""
        daily = self.schedule.currentData() == "daily"
        self.time.setEnabled(daily)
        self.hours.setEnabled(not daily)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择备份文件夹（如U盘）", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def save(self) -> bool:
        """Store the backup settings (audited); a bad value is named and nothing is half-saved."""
        values = {"backup_folder": self.folder.text().strip(), "backup_schedule": self.schedule.currentData(),
                  "backup_time": self.time.text().strip(), "backup_hours": str(self.hours.value()),
                  "backup_keep": str(self.keep.value())}
        current = settings.get_all(self.store.db)
        try:
            with self.store.db.atomic():
                for key, value in values.items():
                    if value != current[key]:
                        self.accounts.change_setting(self.session, key, value)
        except DeskError as exc:
            set_hint(self.error, exc.message, error=True)
            self.error.setVisible(True)
            return False
        self.error.setVisible(False)
        return True

    def back_up_now(self) -> None:
        if self.save() and not self.backups.run_now():
            set_hint(self.error, "备份正在进行，请稍候", error=False)
            self.error.setVisible(True)

    def _on_progress(self, percent: int) -> None:
        if not shiboken6.isValid(self):
            return
        self.progress.setVisible(True)
        self.progress.setValue(percent)
        self.now_button.setEnabled(False)

    def _on_finished(self, result, message) -> None:
        if not shiboken6.isValid(self):
            return
        self.progress.setVisible(False)
        self.now_button.setEnabled(True)
        if message:
            set_hint(self.error, message, error=True)
            self.error.setVisible(True)
        self.show_status()

    def show_status(self) -> None:
        """The last backup (time, file, verified) and, if newer, the last failure in red."""
        made, failed = backupplan.last(self.store.db), backupplan.last_failure(self.store.db)
        text = (f"{fmt_time(made['at'])}　{made.get('file', '')}　{'已校验' if made.get('verified', True) else '未校验'}"
                f"（{made.get('cases', '—')} 件案件）") if made else "尚无备份"
        if failed:
            text += f"<br><span style='color:#b00020'>{fmt_time(failed['at'])} 备份失败：{failed['reason']}</span>"
        self.last.setText(text)

    def print_handover(self) -> None:
        """Sync, check and render the paper on a worker (network and PDF), then show it to print or save."""
        from desktop.forms import handover as paper
        from desktop.sync import handover
        from desktop.sync.engine import SyncEngine

        def job(store: Store) -> bytes:
            checks = handover.check_now(SyncEngine(store))
            return paper.render(handover.facts(store.db, checks, str(store.data_dir)))

        self.handover_button.setEnabled(False)
        worker.run_on_store(self.store.data_dir, self.store.catalog, job, self._on_paper)

    def _on_paper(self, pdf: bytes | None, error: BaseException | None) -> None:
        from desktop.ui.printing import PdfPreview

        if not shiboken6.isValid(self):
            return
        self.handover_button.setEnabled(True)
        if error is not None:
            QMessageBox.warning(self, "设备移交单", worker.known(error))
            return
        self.paper = PdfPreview(pdf, "设备移交单", self, file_name="设备移交单.pdf")
        self.paper.open()


def _spin(low: int, high: int, value: str, suffix: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(int(value))
    spin.setSuffix(suffix)
    spin.setMaximumWidth(110)
    return spin
