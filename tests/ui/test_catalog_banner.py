"""The first start after the catalog switched shows what changed on home, once; a draft says it keeps its own."""

from __future__ import annotations

import datetime as dt

from desktop.accounts.roles import Session
from desktop.domain.case import Case
from desktop.protocol import catalogsign
from desktop.storage import catalogs, settings
from desktop.storage.store import Store
from desktop.ui.mainwindow import MainWindow
from desktop.ui.wizard.wizard import CaseWizard
from tests.countycatalog import county_catalog

CLERK = Session("lixiaolan", "李晓兰", "clerk")
TODAY = dt.date.today()


def _open(data_dir, qtbot) -> tuple[Store, MainWindow]:
    store = Store.open(data_dir, today=TODAY)
    settings.set_value(store.db, "county_code", "439901")
    settings.set_value(store.db, "window_code", "W03")
    window = MainWindow(store, CLERK)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    return store, window


def _install_county(store: Store, tmp_path) -> None:
    path = county_catalog(tmp_path)
    meta = catalogsign.describe(path.read_bytes()) | {"effective": TODAY.isoformat(), "note": "县级自增"}
    catalogs.install(store.db, store.data_dir, meta, path.read_bytes())


def test_what_changed_is_shown_once_on_the_first_start_after_a_switch(qtbot, data_dir, tmp_path):
    store, window = _open(data_dir, qtbot)
    assert not window.home.catalog_banner.isVisible()  # the very first start: nothing to compare with
    draft = Case(service=3)
    store.save_draft(draft)
    _install_county(store, tmp_path)
    window.close()
    store.close()

    store, window = _open(data_dir, qtbot)
    assert window.home.catalog_banner.isVisible()
    text = window.home.catalog_changes.text()
    assert "现行目录 2026.2-县1" in text and "新增事项：101. 我要办理老年人优待证" in text
    assert "时限变更：3. 我要办理残疾人证：30个工作日 → 20个工作日" in text
    window.grab().save(str(tmp_path / "home-catalog-changed.png"))
    wizard = CaseWizard(store, store.load(draft.uuid))
    qtbot.addWidget(wizard)
    wizard.resize(1366, 768)
    wizard.show()
    assert wizard.catalog_note.isVisible() and "现行目录已更新为 2026.2-县1" in wizard.catalog_note.text()
    assert wizard.ctx.service.working_days == 30  # the draft's own catalog
    wizard.grab().save(str(tmp_path / "wizard-old-catalog.png"))
    wizard.close()
    window.close()
    store.close()

    store, window = _open(data_dir, qtbot)
    assert not window.home.catalog_banner.isVisible()  # once
    window.close()
    store.close()


def test_a_desk_left_running_takes_the_new_catalog_at_the_start_of_the_day_but_not_under_a_wizard(
        qtbot, data_dir, tmp_path):
    store, window = _open(data_dir, qtbot)
    path = county_catalog(tmp_path)
    tomorrow = TODAY + dt.timedelta(days=1)
    meta = catalogsign.describe(path.read_bytes()) | {"effective": tomorrow.isoformat(), "note": "县级自增"}
    catalogs.install(store.db, store.data_dir, meta, path.read_bytes())
    bundled = store.catalog
    assert not window.start_of_day(TODAY)  # the same day: nothing
    window.new_case(3)  # a wizard open at midnight
    assert not window.start_of_day(tomorrow) and store.catalog is bundled
    window.go_home()
    assert window.start_of_day(tomorrow) and store.catalog.version == "2026.2-县1"
    assert window.home.catalog_banner.isVisible() and "新增事项：101" in window.home.catalog_changes.text()
    window.home.finder.setText("优待证")
    assert window.home.tree.model().rowCount() == 1  # the new service in the finder
    window.close()
    store.close()
