"""好差评 totals per clerk and service, from real ratings in a real store."""

from __future__ import annotations

import datetime as dt
import random

from desktop.intake import demo
from desktop.ledger import ratings
from desktop.storage import feedback

DAY = dt.date(2026, 11, 27)
NOW = dt.datetime(2026, 11, 27, 10, 30).astimezone()


def _case(store, number: int, clerk: str, seed: int):
    service = store.catalog.service(number)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), DAY)
    demo.receive_all(service, case)
    case.clerk = clerk
    return store.accept(case, now=NOW)


def test_totals_per_clerk_and_service(store):
    levels = {("李晓兰", 3): ["very_satisfied", "satisfied", "dissatisfied"], ("周文斌", 3): ["very_dissatisfied"],
              ("李晓兰", 9): ["basically_satisfied"]}
    seed = 0
    for (clerk, number), given in levels.items():
        for level in given:
            seed += 1
            case = _case(store, number, clerk, seed)
            feedback.rate(store, case.uuid, level, reasons=["waiting"] if level in ("dissatisfied",
                                                                                    "very_dissatisfied") else [], now=NOW)
            if clerk == "周文斌":
                feedback.rectify(store, case.uuid, 1, "已整改", now=NOW)
    rows = {(r.clerk, r.service): r for r in ratings.totals(store, DAY, DAY, today=DAY + dt.timedelta(days=60))}
    assert set(rows) == set(levels)
    li = rows[("李晓兰", 3)]
    assert (li.count, li.bad, li.open, li.overdue, li.rectified) == (3, 1, 1, 1, 0)
    assert round(li.satisfaction, 3) == 0.667
    zhou = rows[("周文斌", 3)]
    assert (zhou.bad, zhou.rectified, zhou.open, zhou.satisfaction) == (1, 1, 0, 0.0)
    assert rows[("李晓兰", 9)].levels["basically_satisfied"] == 1 and rows[("李晓兰", 9)].satisfaction == 1.0
    assert ratings.totals(store, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)) == []


def _rated(store, clerk: str, number: int, seed: int, level: str, now: dt.datetime = NOW):
    case = _case(store, number, clerk, seed)
    reasons = ["waiting"] if level in ("dissatisfied", "very_dissatisfied") else []
    return feedback.rate(store, case.uuid, level, reasons=reasons, now=now)


def test_the_ledgers_pdf_and_xlsx_have_the_ratings_section(store):
    import io

    import openpyxl
    from pypdf import PdfReader

    from desktop.ledger import query as ledger, xlsx
    from tests.forms.conftest import squeeze

    _rated(store, "李晓兰", 3, 1, "very_satisfied")
    _rated(store, "李晓兰", 3, 2, "dissatisfied")
    _rated(store, "周文斌", 13, 3, "satisfied")
    result = ledger.query(store, ledger.Filters(DAY, DAY), hub="local", today=DAY)
    assert [(r.clerk, r.service, r.count) for r in result.ratings] == [("周文斌", 13, 1), ("李晓兰", 3, 2)]
    text = squeeze("".join(p.extract_text() for p in PdfReader(io.BytesIO(ledger.render_pdf(result))).pages))
    assert "好差评与整改" in text and "仅本机" in text and "满意率" in text
    assert "李晓兰我要办理残疾人证2" in text and "50.0%" in text and "合计" in text and "66.7%" in text
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.write(result)))["好差评"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert values[1][:4] == ["李晓兰", "我要办理残疾人证", 2, 1] and values[1][8] == 0.5 and values[1][10] == 1
    narrowed = ledger.query(store, ledger.Filters(DAY, DAY, service=13), hub="local", today=DAY)
    assert [r.clerk for r in narrowed.ratings] == ["周文斌"]
    none = ledger.query(store, ledger.Filters(DAY - dt.timedelta(days=3), DAY - dt.timedelta(days=3)), hub="local")
    assert none.ratings == [] and "没有评价" in squeeze(
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(ledger.render_pdf(none))).pages))
