"""The main window: home, the wizard, the case view, staff screens; the toolbar by role, the lock, the status bar."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QStackedWidget, QToolBar

from desktop.accounts import roles
from desktop.accounts.staff import Accounts, lock_minutes
from desktop.domain.case import Case
from desktop.domain.errors import StoreError
from desktop.storage import settings
from desktop.storage.store import Store
from desktop.ui.counts import PendingCount
from desktop.ui.firstpaint import on_first_paint
from desktop.ui.home import HomePage
from desktop.ui.lock import IdleWatcher, LockPage
from desktop.ui.signals import StoreSignals

DAY_CHECK_MS = 60_000  # how often a running desk looks whether a new day (and perhaps a new catalog) began
# The wizard, the case view and the staff screens are imported on first use: start-up is budgeted
# against a bare window (bench/startup.py), and a clerk sees the home screen first.

BACKGROUND_START_MS = 1500

# toolbar entries: text, shortcut, slot name, the permission that shows it (None: everyone)
TOOLBAR = (
    ("首页", "Ctrl+H", "go_home", "case.view"),
    ("新建案件", "Ctrl+N", "focus_finder", "case.create"),
    ("搜索", "Ctrl+F", "focus_search", "case.view"),
    ("收件箱", "Ctrl+I", "open_inbox", "case.create"),
    ("同步", "", "open_sync", "case.view"),
    ("回访与整改", "", "open_followup", "case.view"),
    ("台账", "", "open_ledger", "ledger.view"),
    ("用户管理", "", "open_users", "user.manage"),
    ("审计记录", "", "open_audit", "audit.verify"),
    ("设置", "", "edit_settings", "settings.edit"),
    ("维护", "", "open_maintenance", "user.manage"),
    ("锁屏", "Ctrl+L", "lock", None),
)


class MainWindow(QMainWindow):
    """One window for one logged-in staff member; screens swap in a stack so nobody loses their place.

    Every committed change, made here or by a background job (intake, sync) on its own connection, arrives
    as `signals.changed`; after the burst settles (one turn of the event loop) each open view redraws once,
    then `views_refreshed(uuids)` (uuids of the cases changed; "" for changes to no one case).
    """

    views_refreshed = Signal(object)

    def __init__(self, store: Store, session: roles.Session, accounts: Accounts | None = None):
        super().__init__()
        self.store, self.session = store, session
        self.accounts = accounts or Accounts(store.db)
        self.signals = StoreSignals(store, self)
        self.pending = PendingCount(store, self)  # counted off the GUI thread (issue 16)
        self.pending.changed.connect(self._update_status)
        self.setWindowTitle("一件事帮代办工作台")
        self.resize(1366, 768)
        self.stack = QStackedWidget()
        self.home = HomePage(store)
        self._tell_catalog_changes()
        self._caseview = None
        self._staff_page = None
        self.wizard = None
        self.stack.addWidget(self.home)
        self._lockpage = None
        self.outer = QStackedWidget()  # the lock page replaces the content: it is hidden, not covered
        self.outer.addWidget(self.stack)
        self.setCentralWidget(self.outer)
        self._toolbar()
        self.status = QLabel()
        self.status.setToolTip(f"数据目录：{store.data_dir}")  # which data dir this desk uses, never unsaid
        self.statusBar().addPermanentWidget(self.status)
        self.home.service_chosen.connect(self.new_case)
        self.home.case_chosen.connect(self.open_case)
        self.signals.changed.connect(self._on_store_changed)
        self._changes: dict[str, set[str]] = {}  # uuid -> kinds, collected until the fan-out
        self._fanout = QTimer(self, singleShot=True, interval=0)
        self._fanout.timeout.connect(self._fan_out)
        self.idle = IdleWatcher(lock_minutes(store.db), self)
        self.idle.idle.connect(self.lock)
        self._inbox = None
        self.intake = None
        self._sync_page = None
        self.sync = None
        self.sync_status = None
        self.maintenance = None
        self.backups = None
        self._apply_session()
        self.pending.refresh()
        # background intake and sync start once the window is up: their imports (PDFium, httpx) and first
        # passes would otherwise compete with the first paint for the interpreter
        QTimer.singleShot(BACKGROUND_START_MS, self._start_background)
        # the ledger page right after the home screen's first paint, on the event loop's next turn: the clerk sees
        # home first, and the page is ready long before the first click on 台账 (bench/stalls.py has its row)
        on_first_paint(self, lambda: self._prepare_ledger())  # looked up late: bench/stalls.py measures it alone
        # a desk left running overnight takes the day's catalog at the start of the day, never under a wizard
        self._catalog_day = dt.date.today()
        self._day_timer = QTimer(self, interval=DAY_CHECK_MS)
        self._day_timer.timeout.connect(lambda: self.start_of_day(dt.date.today()))
        self._day_timer.start()

    def start_of_day(self, today: dt.date) -> bool:
        """On a new day with no wizard open: the catalog in force today becomes active (home shows what changed).
        Returns whether it switched; with a wizard open it waits for the next check."""
        if today == self._catalog_day or self.wizard is not None or self.store.data_dir is None:
            return False
        from desktop.storage import catalogs

        self._catalog_day = today
        active = catalogs.open_active(self.store.db, self.store.data_dir, today)
        if active.hash == self.store.catalog.hash:
            return False
        self.store.catalog = active
        self.home.catalog_switched()
        self._tell_catalog_changes()
        return True

    def _tell_catalog_changes(self) -> None:
        """The first start after the active catalog switched shows what changed, once (docs/catalog.md)."""
        if self.store.data_dir is None:
            return
        from desktop.storage import catalogs

        lines = catalogs.switch_notice(self.store.db, self.store.data_dir, self.store.catalog)
        self.home.show_catalog_changes(self.store.catalog.version, lines)

    def _toolbar(self) -> None:
        self.bar = QToolBar("主菜单")
        self.bar.setMovable(False)
        self.bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(self.bar)
        self.actions_by_name: dict[str, tuple[QAction, str | None]] = {}
        for text, shortcut, slot, permission in TOOLBAR:
            action = QAction(text, self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                action.setToolTip(f"{text}（{shortcut}）")
            action.triggered.connect(getattr(self, slot))
            self.bar.addAction(action)
            self.actions_by_name[text] = (action, permission)

    def can(self, action: str, case_row=None) -> bool:
        return roles.can(self.session, action, case_row)

    def _apply_session(self) -> None:
        """Show what this person's role allows; their drafts only; cases of their area only."""
        for action, permission in self.actions_by_name.values():
            action.setVisible(permission is None or self.can(permission))
        self.home.owner = self.session.display_name
        self.home.visible = lambda row: roles.visible(self.session, row)
        self.home.area = self.session.area if self.session.role in roles.AREA_LIMITED else None
        self._update_status()
        if self.can("case.view"):
            self.go_home()
        elif self.can("user.manage"):
            self.open_users()
        elif self.can("audit.verify"):
            self.open_audit()

    # screens

    @property
    def caseview(self):
        """The case view, built the first time a case is opened."""
        if self._caseview is None:
            from desktop.ui.caseview import CaseView

            self._caseview = CaseView(self.store, self)
            self._caseview.draft_resumed.connect(self.open_case)
            self._caseview.print_requested.connect(self._on_print)
            self.stack.addWidget(self._caseview)
        return self._caseview

    def go_home(self) -> None:
        self._close_wizard()
        self.home.reload()
        self.stack.setCurrentWidget(self.home)

    def focus_finder(self) -> None:
        self.go_home()
        self.home.finder.setFocus()
        self.home.finder.selectAll()

    def focus_search(self) -> None:
        self.go_home()
        self.home.search.setFocus()
        self.home.search.selectAll()

    def new_case(self, number: int) -> None:
        if not self.can("case.create"):
            return
        case = Case(service=number, clerk=self.session.display_name)
        area = self.session.area  # a village agent's cases start in their township (and their one village)
        case.applicant.township = area.township
        case.applicant.village = area.villages[0] if len(area.villages) == 1 else ""
        methods = self.store.catalog.service(number).methods
        case.method = methods[0] if len(methods) == 1 else ""  # one way to apply: nothing to choose
        self._open_wizard(case)

    def open_case(self, uuid: str) -> None:
        case = self.store.load(uuid)
        if case.state == "draft":
            self._open_wizard(case)
            return
        row = next(iter(self.store.rows("uuid = ?", [uuid])), None)
        if not self.can("case.view", row):
            QMessageBox.warning(self, "无权查看", "该案件不在您的服务区域内。")
            return
        self._close_wizard()
        self.caseview.show_case(uuid)
        self.stack.setCurrentWidget(self.caseview)
        self._offer_case_to_inbox()

    def _offer_case_to_inbox(self) -> None:
        if self._inbox is not None and self._caseview is not None and self.stack.currentWidget() is self._caseview:
            number = next(iter(self.store.rows("uuid = ?", [self._caseview.uuid])), {}).get("number")
            if number:
                self._inbox.set_default_case(number)

    def _open_wizard(self, case: Case) -> None:
        from desktop.ui.wizard.wizard import CaseWizard

        self._close_wizard()
        self.wizard = CaseWizard(self.store, case, actor=self.session.username, clerk=self.session.display_name,
                                 area_check=self._area_refusal,
                                 own_kind="village_agent" if self.session.role == "village_agent" else "clerk")
        self.wizard.accepted.connect(self._on_accepted)
        self.wizard.closed.connect(self.go_home)
        self.stack.addWidget(self.wizard)
        self.stack.setCurrentWidget(self.wizard)
        self.wizard.focus_first_field()

    def _area_refusal(self, case: Case) -> str | None:
        """A village agent accepts cases of their own area only: others they could not see or print afterwards."""
        place = {"township": case.applicant.township, "village": case.applicant.village}
        if roles.visible(self.session, place):
            return None
        return f"申请人所在乡镇/村不在您的服务区域（{self.session.area.label()}）内：请改由其所在地的代办员或窗口受理"

    def save_open_draft(self) -> str | None:
        """Save the draft being filled in now (the crash path calls this); its UUID, or None when there is none."""
        if self.wizard is None or self.wizard.case.state != "draft":
            return None
        if not self.wizard.save_now():
            raise RuntimeError("the open draft could not be saved")  # the crash dialog says so
        return self.wizard.case.uuid

    def _close_wizard(self) -> None:
        """Leave the wizard, its draft saved; when the store refuses the save (disk full, locked) the wizard
        stays, and the known error stops whatever was leaving it (the crash path says it in a dialog)."""
        if self.wizard is not None:
            if not self.wizard.save_now():
                raise StoreError(self.wizard.error.text())
            if _untouched(self.wizard.case):  # opened by mistake: no “（未填姓名）” draft left behind
                self.store.discard_draft(self.wizard.case.uuid)
            self.stack.removeWidget(self.wizard)
            self.wizard.deleteLater()
            self.wizard = None

    def _on_accepted(self, uuid: str) -> None:
        self.open_case(uuid)
        case = self.store.load(uuid)
        self.statusBar().showMessage(f"已受理：{case.number}（{case.state_label}）", 10000)
        self.caseview.offer_prints(case)

    def _on_print(self, uuid: str, kind: str) -> None:
        from desktop.ui.printing import print_document

        print_document(self, self.store, self.session, uuid, kind)

    def _staff(self, kind: str) -> None:
        from desktop.ui.staff import AuditPage, UsersPage

        self._close_wizard()
        if self._staff_page is not None:
            self.stack.removeWidget(self._staff_page)
            self._staff_page.deleteLater()
        cls = UsersPage if kind == "users" else AuditPage
        self._staff_page = cls(self.accounts, self.session, self.store)
        self.stack.addWidget(self._staff_page)
        self.stack.setCurrentWidget(self._staff_page)

    def _start_background(self) -> None:
        if self.isVisible():
            self._start_intake()
            self._start_sync()
            self._start_maintenance()

    def _start_maintenance(self) -> None:
        """The database's integrity check when idle (desktop/ui/maintenance.py), its result in the status bar."""
        from desktop.ui.maintenance import Maintenance, warm_up

        warm_up()
        self.maintenance = Maintenance(self.store, self)
        self.maintenance.checked.connect(self._on_checked)
        self._start_backups()

    def _start_backups(self) -> None:
        """The scheduled backup (desktop/ui/backuprun.py): a progress bar in the status bar while it runs."""
        from PySide6.QtWidgets import QProgressBar

        from desktop.ui.backuprun import ScheduledBackup, summary

        if self.backups is not None or self.store.data_dir is None:
            return
        self.backups = ScheduledBackup(self.store, self.session.username, self)
        self.backup_bar = QProgressBar()
        self.backup_bar.setFormat("正在备份 %p%")
        self.backup_bar.setMaximumWidth(220)
        self.backup_bar.setVisible(False)
        self.statusBar().addPermanentWidget(self.backup_bar)
        self.backups.progressed.connect(lambda percent: (self.backup_bar.setVisible(True),
                                                         self.backup_bar.setValue(percent)))
        self.backups.finished.connect(lambda result, message: (
            self.backup_bar.setVisible(False), self.statusBar().showMessage(summary(result, message), 120_000)))
        self.backups.start()

    def open_maintenance(self) -> None:
        from desktop.ui.maintenancedialog import MaintenanceDialog

        self._start_backups()  # before the background start: the button still works
        summary = self.maintenance.summary() if self.maintenance is not None else ""
        MaintenanceDialog(self.store, self.session, self.accounts, self.backups, db_check=summary, parent=self).exec()

    def _on_checked(self, problem: str | None) -> None:
        self.statusBar().showMessage(self.maintenance.summary(), 30000)
        if problem:
            QMessageBox.warning(self, "数据库检查", problem)

    def _start_intake(self) -> None:
        """Watch the scanner folder in the background (a device without one set just shows the empty inbox)."""
        from desktop.ui.intakerun import IntakeRunner

        folder = settings.get(self.store.db, "scanner_folder")
        if not folder or self.store.data_dir is None or not self.can("case.create"):
            return
        self.intake = IntakeRunner(self.store.data_dir, self.store.catalog, folder, actor=self.session.username,
                                   parent=self)
        self.intake.passed.connect(self._on_intake)
        self.intake.changed.connect(self.signals.relay)
        self.intake.failed.connect(lambda message: self.statusBar().showMessage(f"扫描文件夹：{message}", 15000))
        self.intake.start()

    def _on_intake(self, report) -> None:
        trouble = next((w["message"] for w in report.waiting if w.get("why") == "store"), "")
        if trouble:  # the scan waits in the queue, safe; the clerk learns why it is not in the inbox yet
            self.statusBar().showMessage(f"扫描文件夹：{trouble}", 30000)
        if report.accepted or report.quarantined:
            bad = f"，{len(report.quarantined)} 件有问题已隔离" if report.quarantined else ""
            self.statusBar().showMessage(f"扫描文件夹：新收 {len(report.accepted)} 件{bad}", 15000)
            self.signals.relay([("scan_received", "")])  # into the inbox, not yet any case's
        if denied := [w for w in report.waiting if w.get("why") == "denied"]:
            self.statusBar().showMessage(f"扫描件“{denied[0]['name']}”无法移走。{denied[0]['detail']}", 60000)

    def _start_sync(self) -> None:
        """Sync in the background for staff who handle cases; the status bar says how it stands."""
        from desktop.ui.syncrun import SyncRunner

        if self.store.data_dir is None or not self.can("case.view"):
            return
        self.sync = SyncRunner(self.store.data_dir, self.store.catalog, self)
        self.sync.updated.connect(self._on_sync)
        self.sync.changed.connect(self.signals.relay)
        self.sync.start()

    def _on_sync(self, status, report) -> None:
        self.sync_status = status
        self._update_status()
        if self._sync_page is not None:
            self._sync_page.show_status(status)
            self._sync_page.reload()
        if report is not None and report.sent:  # outbox rows marked sent: the cases' sync labels changed
            self.signals.relay([("synced", "")])

    def open_sync(self) -> None:
        from desktop.ui.syncpage import SyncProblemsPage

        self._close_wizard()
        if self.sync is None:
            return
        if self._sync_page is None:
            self._sync_page = SyncProblemsPage(self.store, self.session.username, self.sync)
            self.stack.addWidget(self._sync_page)
        if self.sync_status is not None:
            self._sync_page.show_status(self.sync_status)
        self._sync_page.reload()
        self.stack.setCurrentWidget(self._sync_page)

    def open_inbox(self) -> None:
        """The scan inbox as a panel beside whatever is open, so scans can be dragged onto a case."""
        from PySide6.QtWidgets import QDockWidget

        from desktop.ui.inbox import InboxPage

        if self._inbox is None:
            self._inbox = InboxPage(self.store, self.session.username)
            self.inbox_dock = QDockWidget("扫描收件箱", self)
            self.inbox_dock.setWidget(self._inbox)
            self.inbox_dock.setMinimumWidth(380)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.inbox_dock)
        self._inbox.reload()
        self._offer_case_to_inbox()
        self.inbox_dock.show()
        if self.intake is not None:
            self.intake.scan_now()

    def open_ledger(self) -> None:
        from desktop.ui.ledgerpage import LedgerPage

        self._close_wizard()
        if getattr(self, "_ledger", None) is None:
            self._ledger = LedgerPage(self.store, self.session)
            self.stack.addWidget(self._ledger)
        self.stack.setCurrentWidget(self._ledger)

    def _prepare_ledger(self) -> None:
        """Build the ledger page once the desk has painted, for those who may open it: its widgets take ≈60 ms of
        the GUI thread the first time (Qt's, nothing to move to a worker), which made its first opening the one
        screen switch over 100 ms at any size (issue 16). Paid once, just after the first paint, not at the click."""
        from desktop.ui.ledgerpage import LedgerPage

        if self.isVisible() and self.can("ledger.view") and getattr(self, "_ledger", None) is None:
            self._ledger = LedgerPage(self.store, self.session)
            self.stack.addWidget(self._ledger)

    def open_followup(self) -> None:
        """回访 due and 差评 to rectify (desktop/ui/followup.py), built on first use."""
        from desktop.ui.followup import FollowUpPage

        self._close_wizard()
        if getattr(self, "_followup", None) is None:
            self._followup = FollowUpPage(self.store, self.session)
            self._followup.case_chosen.connect(self.open_case)
            self.stack.addWidget(self._followup)
        self._followup.reload()
        self.stack.setCurrentWidget(self._followup)

    def open_users(self) -> None:
        self._staff("users")

    def open_audit(self) -> None:
        self._staff("audit")

    def edit_settings(self) -> None:
        from desktop.ui.setup import SettingsDialog

        save = lambda key, value: self.accounts.change_setting(self.session, key, value)  # noqa: E731
        if SettingsDialog(self.store, save=save, parent=self).exec():
            self._update_status()

    # the lock

    @property
    def lockpage(self) -> LockPage:
        """The lock page, built the first time the desk locks."""
        if self._lockpage is None:
            self._lockpage = LockPage(self.accounts)
            self._lockpage.unlocked.connect(self._on_unlocked)
            self._lockpage.switched.connect(self._on_switched)
            self.outer.addWidget(self._lockpage)
        return self._lockpage

    def lock(self) -> None:
        """Hide everything behind the lock page; the draft in progress is saved and kept as it is."""
        if self._lockpage is not None and self.outer.currentWidget() is self._lockpage:
            return
        if self.wizard is not None:
            self.wizard.save_now()
        self.accounts.lock(self.session)
        self.bar.setVisible(False)
        self.outer.setCurrentWidget(self.lockpage)
        self.lockpage.show_for(self.session)
        self.idle.timer.stop()

    def _on_unlocked(self, session: roles.Session) -> None:
        self.session = session
        self.bar.setVisible(True)
        self.outer.setCurrentWidget(self.stack)
        self.idle.timer.start()

    def _on_switched(self, session: roles.Session) -> None:
        """Another person logs in: the first person's draft is saved and stays theirs."""
        self._close_wizard()
        if getattr(self, "_ledger", None) is not None:  # built for the previous person's role
            self.stack.removeWidget(self._ledger)
            self._ledger.deleteLater()
            self._ledger = None
        self.session = session
        self.bar.setVisible(True)
        self.outer.setCurrentWidget(self.stack)
        self.idle.timer.start()
        self._apply_session()

    # status

    def _on_store_changed(self, what: str, uuid: str) -> None:
        self._changes.setdefault(uuid, set()).add(what)
        self._fanout.start()

    def _fan_out(self) -> None:
        """Each open view redraws once for a burst of changes: the case view when its case (or any) changed."""
        changes, self._changes = self._changes, {}
        if not changes:
            return
        self.pending.refresh()  # counted off the GUI thread; the status line follows its `changed`
        self._update_inbox_count()
        current = self.stack.currentWidget()
        if current is self.home:
            self.home.reload()
        if self._caseview is not None and current is self._caseview and self._caseview.uuid \
                and (self._caseview.uuid in changes or "" in changes):
            self._caseview.refresh()
        if current is getattr(self, "_followup", None):
            current.reload()
        if self._inbox is not None and any(k.startswith("scan") for kinds in changes.values() for k in kinds):
            self._inbox.reload()
        self.views_refreshed.emit(set(changes))

    def _update_inbox_count(self) -> None:
        count = self.store.db.execute("SELECT count(*) FROM documents WHERE state = 'inbox'").fetchone()[0]
        self.actions_by_name["收件箱"][0].setText(f"收件箱（{count}）" if count else "收件箱")

    def _update_status(self) -> None:
        values = settings.get_all(self.store.db)
        sync = self.sync_status.summary() if self.sync_status is not None and self.sync_status.configured \
            else f"未连接县级汇聚服务器 · {self.pending.text()}"
        self.status.setText(f"{values['office'] or '未设置办理点'}　窗口 {values['window_code'] or '—'}　"
                            f"{self.session.display_name}（{self.session.role_label}）　{sync}")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.wizard is not None and not self.wizard.save_now():  # never close over typed, unsaved work
            QMessageBox.warning(self, "草稿未能保存", f"{self.wizard.error.text()}\n处理后再关闭工作台。")
            event.ignore()
            return
        self._close_wizard()
        self.idle.stop()
        self.home.stop()  # a search still waiting for the typing pause must not run on a closed store
        if self.intake is not None:
            self.intake.stop()
        if self.sync is not None:
            self.sync.stop()
        if self.maintenance is not None:
            self.maintenance.stop()
        if self.backups is not None:
            self.backups.stop()
        self.pending.stop()
        self.signals.detach()
        self._fanout.stop()  # closing saved the draft: no redraw after the window (and soon the store) is gone
        self._changes.clear()
        super().closeEvent(event)


def _untouched(case: Case) -> bool:
    """A draft with nothing typed into it (the township or the one method filled in for the clerk do not count)."""
    people = (case.applicant, case.guardian, case.proxy)
    received = any(m.received or m.count or m.pending_docs or m.note for m in case.materials.values())
    return (case.state == "draft" and not case.linked_from and not case.answers and not received
            and all(p is None or p.is_empty() for p in people))
