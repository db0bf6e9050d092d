"""The case view shows the 公示 beside the items (stage, days, place, objections) and its steps on the timeline."""

from __future__ import annotations

import datetime as dt
import random

from PySide6.QtWidgets import QTextBrowser

from desktop.accounts.roles import Session
from desktop.accounts.staff import Accounts
from desktop.storage import publicity
from desktop.ui.mainwindow import MainWindow
from tests.hub.deskside import new_case


def test_the_case_view_shows_the_publicity_and_its_timeline(qtbot, store):
    uuid = new_case(store, random.Random(14), service=14)
    publicity.start(store, uuid, "城关镇幸福村村务公开栏", on=dt.date.today(), actor="测试")
    publicity.objection(store, uuid, "村民反映有赡养人", actor="测试")
    window = MainWindow(store, Session("lixiaolan", "李晓兰", "clerk"), Accounts(store.db))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.open_case(uuid)
    text = next(w.toPlainText() for w in window.findChildren(QTextBrowser) if "办理事项" in w.toPlainText())
    assert "公示中：" in text and "已公示1天" in text and "幸福村村务公开栏" in text and "收到异议1件" in text
    assert "异议1：村民反映有赡养人" in text
    assert text.index("公示中") < text.index("材料") and "公示开始" in text and "公示期间收到异议" in text
