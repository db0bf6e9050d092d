"""People read words: Qt's own buttons in Chinese, the audit screen and `case show` without UUIDs, codes or
English event kinds, the cover sheet without internal ids, times in the hall's local time."""

from __future__ import annotations

import datetime as dt
import random
import re

from PySide6.QtWidgets import QMessageBox

from desktop.accounts.roles import Area
from desktop.accounts.staff import Accounts
from desktop.cli.main import main
from desktop.domain import wording
from desktop.forms import render
from desktop.intake import demo
from desktop.ui.app import make_app
from desktop.ui.staff import AuditPage

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CODES = re.compile(r"\b(accepted|printed|hub_status|scan_filed|case\.\w+|login|submit|[a-z]+_[a-z_]+)\b")
PASSWORD = "Hunan-2026!"


def test_qt_dialogs_speak_chinese(qapp):
    make_app()
    box = QMessageBox(QMessageBox.Icon.Question, "删除草稿", "确认？", QMessageBox.StandardButton.Yes
                      | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    texts = sorted(b.text() for b in box.buttons())
    assert texts == sorted(["是(&Y)", "否(&N)", "确定", "取消"]), texts


def test_local_time():
    utc = dt.datetime(2026, 11, 27, 1, 30, tzinfo=dt.UTC)
    assert wording.local_time(utc.isoformat()) == utc.astimezone().strftime("%Y-%m-%d %H:%M")
    assert wording.local_time(None) == "—" and wording.event_label("some_new_kind") == "其他记录"


def accepted(store):
    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(8), dt.date.today())
    demo.receive_all(service, case)
    case = store.accept(case, actor="lixiaolan")
    store.record_event(case.uuid, "printed", actor="lixiaolan", detail={"kind": "receipt", "reprint": False})
    store.transition(case.uuid, "submit", actor="lixiaolan")
    return case


def test_the_audit_screen_says_it_in_words(qtbot, store):
    accounts = Accounts(store.db)
    accounts.create_admin("admin", "黄建华", PASSWORD)
    admin = accounts.login("admin", PASSWORD)
    accounts.add_user(admin, "pengzhiyuan", "彭志远", "auditor", Area(), PASSWORD, must_change=False)
    accounts.add_user(admin, "lixiaolan", "李晓兰", "clerk", Area(), PASSWORD, must_change=False)
    case = accepted(store)
    page = AuditPage(accounts, accounts.login("pengzhiyuan", PASSWORD), store)
    qtbot.addWidget(page)
    cells = [[page.table.item(r, c).text() for c in range(page.table.columnCount())] for r in range(page.table.rowCount())]
    text = "\n".join("\t".join(row) for row in cells)
    assert not UUID.search(text) and "{" not in text and not CODES.search(text), text
    created = next(row for row in cells if row[4] == "受理案件")
    assert created[3] == "李晓兰" and created[5] == case.number and "状态：已受理" in created[6]
    assert "一件事：" + store.catalog.service(3).name in created[6]
    assert any("操作：提交部门" in row[6] for row in cells) and any("类别：打印" in row[6] for row in cells)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", created[1])
    page.filter.setText(case.number)
    assert page.table.rowCount() >= 3


def test_case_show_prints_no_internal_ids_or_english_kinds(store, capsys):
    case = accepted(store)
    assert main(["case", "show", case.number, "--data-dir", str(store.data_dir)]) == 0
    out = capsys.readouterr().out
    assert case.number in out and "受理" in out and "提交部门" in out and "打印" in out
    assert not UUID.search(out) and not CODES.search(out), out
    assert wording.local_time(store.events(case.uuid)[0]["at"]) in out


def test_the_cover_sheet_prints_no_material_id(store):
    import io

    import pypdf

    case = accepted(store)
    pdf = render("cover", store.load(case.uuid), store.catalog)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    ids = [m.id for m in store.catalog.service(3).materials]
    assert "材料编号" not in text and not any(re.search(rf"\b{i}\b", text) for i in ids), text
