"""First-run setup: refuses a bad county code naming it, keeps what was typed, saves the office's villages."""

from __future__ import annotations

from desktop.storage import settings
from desktop.storage.store import Store
from desktop.ui.setup import SettingsDialog, needs_setup, text_to_townships, townships_to_text


def test_first_run_setup_checks_and_saves(qtbot, data_dir, catalog):
    store = Store.open(data_dir, catalog)
    assert needs_setup(store)
    dialog = SettingsDialog(store, first_run=True)
    qtbot.addWidget(dialog)
    dialog.edits["county_code"].setText("12345")
    dialog.edits["office"].setText("白水乡便民服务中心")
    dialog.edits["window_code"].setText("l12")
    dialog.townships.setPlainText("白水乡：白水村、石门村\n城关镇:东门社区,西街社区")
    dialog.save()
    assert not dialog.error.isHidden() and "区划代码" in dialog.error.text()
    assert dialog.focusWidget() is dialog.edits["county_code"]
    assert dialog.edits["office"].text() == "白水乡便民服务中心", "nothing typed is lost"
    dialog.edits["county_code"].setText("430521")
    dialog.per_kind["receipt"].setCurrentText("窗口热敏打印机")
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        dialog.save()
    values = settings.get_all(store.db)
    assert (values["county_code"], values["window_code"], values["office"]) == ("430521", "L12", "白水乡便民服务中心")
    assert values["townships"] == [{"name": "白水乡", "villages": ["白水村", "石门村"]},
                                   {"name": "城关镇", "villages": ["东门社区", "西街社区"]}]
    assert values["printers"] == {"receipt": "窗口热敏打印机"}, "a printer per document, others use the default"
    assert not needs_setup(store)
    store.close()


def test_townships_text_round_trip():
    towns = [{"name": "城关镇", "villages": ["东门社区", "河背村"]}, {"name": "白水乡", "villages": []}]
    assert text_to_townships(townships_to_text(towns)) == towns


def test_printers_are_listed_by_a_worker_and_a_typed_choice_survives(qtbot, data_dir, catalog, monkeypatch):
    """Enumerating printers can take seconds on Windows with a network printer offline: never on the GUI thread."""
    import threading

    from desktop.ui import setup

    asked_on = []

    def slow_printers():
        asked_on.append(threading.current_thread() is threading.main_thread())
        return ["办公室打印机", "Microsoft Print to PDF"]

    monkeypatch.setattr(setup, "printer_names", slow_printers)
    store = Store.open(data_dir, catalog)
    try:
        dialog = setup.SettingsDialog(store, first_run=True)
        qtbot.addWidget(dialog)
        dialog.printer.setCurrentText("窗口打印机（手填）")
        qtbot.waitUntil(lambda: dialog.printer.count() == 3, timeout=10_000)
        assert asked_on == [False]
        assert dialog.printer.currentText() == "窗口打印机（手填）"
        assert [dialog.per_kind["receipt"].itemText(i) for i in range(3)] == ["", "办公室打印机", "Microsoft Print to PDF"]
    finally:
        store.close()


def test_a_refused_save_changes_no_setting(qtbot, store):
    """Settings are stored one by one; a bad one further down (the hall's phone) used to leave the ones before it
    (the office's name) changed although the dialog said the save failed: now all or none."""
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.edits["office"].setText("白水乡便民服务中心")
    dialog.edits["office_phone"].setText("请拨总机")
    dialog.save()
    assert dialog.error.text().startswith("窗口咨询电话：") and dialog.focusWidget() is dialog.edits["office_phone"]
    assert settings.get(store.db, "office") == "演示县政务服务中心"
    assert dialog.edits["office"].text() == "白水乡便民服务中心"
