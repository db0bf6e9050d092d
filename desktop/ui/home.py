"""Home: find a service (name, pinyin initials, item code, or the seven groups), drafts, today's cases, search."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.storage.store import Store
from desktop.ui import worker
from desktop.ui.models import VISIBLE_ROWS, CaseTableModel, service_tree, sized_by_sample

SEARCH_DELAY_MS = 150


def case_table(model: CaseTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # the service name takes what is left (elided, whole in its tooltip), so no column scrolls out of view
    header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
    # sized from the rows in view, the ones a clerk reads: the search is redone at every typing pause; a longer
    # name scrolled to is elided (the case it opens shows it whole)
    sized_by_sample(view, VISIBLE_ROWS)
    return view


class HomePage(QWidget):
    """`service_chosen(number)` starts a case; `case_chosen(uuid)` opens a case or draft; `searched` says the case
    search's results are shown (the query runs in the thread pool: issue 16)."""

    service_chosen = Signal(int)
    case_chosen = Signal(str)
    searched = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.owner = ""  # drafts shown: this staff member's (display name); '' shows all
        self.visible = lambda row: True  # cases shown: e.g. only a village agent's area
        self.area = None  # a village agent's Area (township, villages): searched inside the query
        self.finder = QLineEdit()
        self.finder.setPlaceholderText("查找一件事：名称、拼音首字母（如 cjrz）、事项编码 … 回车开始办理")
        self.finder.setClearButtonEnabled(True)
        self.tree = QTreeView()
        self.tree.setHeaderHidden(True)
        # long names such as service 9 wrap instead of being cut off: the one column fits the view
        self.tree.setWordWrap(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.header().setStretchLastSection(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setIndentation(12)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索案件：姓名、拼音首字母、身份证号或后几位、电话、受理编号")
        self.search.setClearButtonEnabled(True)
        self.search_model = CaseTableModel(store.catalog, self)
        self.today_model = CaseTableModel(store.catalog, self)
        self.drafts_model = CaseTableModel(store.catalog, self)
        self.search_view = case_table(self.search_model)
        self.search_view.hideColumn(6)  # 经办人: in the case itself; its width goes to the service's name
        self.today_view = case_table(self.today_model)
        self.drafts_view = case_table(self.drafts_model)
        self.search_info = QLabel()
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_serial = 0  # the newest search asked for: an older one's results arriving later are dropped
        self._searching = False  # a search's results are still to come
        self._into_results = False  # ↓ or Enter was pressed: the results get the focus when they arrive
        self._layout()
        self._connect()
        self._filter_services("")
        self.reload()

    def _layout(self) -> None:
        left = QGroupBox("新建案件（Ctrl+N）")
        lv = QVBoxLayout(left)
        lv.addWidget(self.finder)
        lv.addWidget(self.tree, 1)
        right = QVBoxLayout()
        search_box = QGroupBox("案件搜索（Ctrl+F）")
        sv = QVBoxLayout(search_box)
        sv.addWidget(self.search)
        sv.addWidget(self.search_info)
        sv.addWidget(self.search_view, 1)
        self.search_box = search_box
        drafts = QGroupBox("未完成的草稿")
        QVBoxLayout(drafts).addWidget(self.drafts_view)
        today = QGroupBox("本窗口今日受理")
        QVBoxLayout(today).addWidget(self.today_view)
        # the search results get half the height: at least 8 rows at 1366×768 (tests/ui/test_keyboard.py)
        right.addWidget(search_box, 6)
        right.addWidget(drafts, 2)
        right.addWidget(today, 2)
        self.catalog_banner = QGroupBox("一件事目录已更新")
        self.catalog_banner.setProperty("role", "notice")
        self.catalog_changes = QLabel()
        self.catalog_changes.setWordWrap(True)
        self.catalog_changes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        seen = QPushButton("知道了")
        seen.clicked.connect(lambda: self.catalog_banner.setVisible(False))
        banner = QHBoxLayout(self.catalog_banner)
        banner.addWidget(self.catalog_changes, 1)
        banner.addWidget(seen, 0, Qt.AlignmentFlag.AlignTop)
        self.catalog_banner.setVisible(False)
        page = QVBoxLayout(self)
        page.addWidget(self.catalog_banner)
        outer = QHBoxLayout()
        page.addLayout(outer, 1)
        # at 1366 px the longest service name (36 characters) fits whole in the tree, and the search results show
        # number, name, masked ID, the service readable (8+ characters), state and due date side by side
        outer.addWidget(left, 9)
        outer.addLayout(right, 11)

    def catalog_switched(self) -> None:
        """The store's active catalog changed (a new day): the finder and the lists name services from it."""
        for model in (self.search_model, self.today_model, self.drafts_model):
            model.catalog = self.store.catalog
        self._filter_services(self.finder.text())
        self.reload()

    def show_catalog_changes(self, version: str, lines: list[str]) -> None:
        """Once, on the first start after the catalog switched: what changed, at most 8 lines and a count."""
        if not lines:
            return
        shown = lines[:8] + ([f"……另有 {len(lines) - 8} 项变更（catalog diff 可查看全部）"] if len(lines) > 8 else [])
        self.catalog_changes.setText(f"现行目录 {version}：新案件按新目录办理；已受理的案件和未完成的草稿仍按原目录。\n"
                                     + "\n".join(f"· {line}" for line in shown))
        self.catalog_banner.setVisible(True)

    def _connect(self) -> None:
        self.finder.textChanged.connect(self._filter_services)
        self.finder.returnPressed.connect(self._choose_first_service)
        self.tree.activated.connect(self._on_service_activated)
        self.search.textChanged.connect(self._on_typed)
        self.search.installEventFilter(self)  # Enter and ↓ go on to the results
        self._search_timer.timeout.connect(self.run_search)
        for view in (self.search_view, self.today_view, self.drafts_view):
            view.activated.connect(lambda index, v=view: self.case_chosen.emit(v.model().uuid_at(index.row())))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """In the case search, Enter searches now and ↓ (or Enter) moves into the results, first row chosen."""
        keys = (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if watched is self.search and event.type() == QEvent.Type.KeyPress and event.key() in keys:
            if self._search_timer.isActive() or event.key() != Qt.Key.Key_Down:
                self.run_search()
            if self._searching:
                self._into_results = True  # when the results arrive
            else:
                self._enter_results()
            return True
        return super().eventFilter(watched, event)

    def _on_typed(self) -> None:
        self._search_timer.start()
        self._into_results = False  # typed on after ↓: the results of the new text must not take the focus

    def _enter_results(self) -> None:
        if self.search_model.rowCount():
            self.search_view.setFocus(Qt.FocusReason.OtherFocusReason)
            self.search_view.selectRow(0)
            self.search_view.setCurrentIndex(self.search_model.index(0, 0))

    def _filter_services(self, text: str) -> None:
        self.tree.setModel(service_tree(self.store.catalog, text))
        self.tree.expandAll()

    def _on_service_activated(self, index: QModelIndex) -> None:
        number = index.data(Qt.ItemDataRole.UserRole)
        if number is not None:
            self.service_chosen.emit(int(number))

    def _choose_first_service(self) -> None:
        model = self.tree.model()
        for row in range(model.rowCount()):
            group = model.index(row, 0)
            if model.rowCount(group):
                self._on_service_activated(model.index(0, 0, group))
                return

    def stop(self) -> None:
        """The window is closing: no search waiting for the typing pause may run after it, nor be shown."""
        self._search_timer.stop()
        self._search_serial += 1

    def run_search(self) -> None:
        """Search for the box's text in the thread pool, on its own connection (desktop/ui/worker.py): at 100,000
        cases the query, the ID rules and pypinyin must not hold the GUI thread while the clerk types (issue 16).
        The results are shown when they arrive (`searched`), unless a newer search was asked for meanwhile."""
        self._search_timer.stop()  # a search run now supersedes the one waiting for the typing pause
        self._search_serial += 1
        serial, text = self._search_serial, self.search.text().strip()
        if not text:
            self._show_results(serial, text, [], None)
            return
        area = self.area
        place: dict[str, object] = {"township": area.township, "villages": area.villages} if area is not None else {}
        search = lambda store: store.search(text, **place)  # noqa: E731
        done = lambda rows, error: self._show_results(serial, text, rows, error)  # noqa: E731
        self._searching = True
        if self.store.data_dir is None:  # a store without a folder (tests' in-memory stores): no second connection
            try:
                rows, error = search(self.store), None
            except Exception as exc:
                rows, error = None, exc
            done(rows, error)
            return
        worker.run_on_store(self.store.data_dir, self.store.catalog, search, done)

    def _show_results(self, serial: int, text: str, rows: list | None, error: BaseException | None) -> None:
        if serial != self._search_serial:
            return  # superseded by a newer search (or the window closed): its own results come
        self._searching = False
        if error is not None:
            self.search_model.set_rows([])
            self.search_info.setText(f"搜索失败：{worker.known(error)}")
        else:
            shown = [r for r in rows or [] if self.visible(r)]
            self.search_model.set_rows(shown)
            self.search_info.setText(f"找到 {len(shown)} 件" if text else "")
        if self._into_results:
            self._into_results = False
            self._enter_results()
        self.searched.emit()

    def reload(self) -> None:
        """Refresh the drafts and today's cases (called when the store says something changed)."""
        mine = [r for r in self.store.drafts() if not self.owner or r["clerk"] in (self.owner, "")]  # "" : nobody's yet
        self.drafts_model.set_rows(mine)
        self.today_model.set_rows([r for r in self.store.cases_on(dt.date.today()) if self.visible(r)])
        if self.search.text().strip():
            self.run_search()
