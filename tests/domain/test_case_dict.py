"""Case.to_dict (desktop.domain.case.plain) gives exactly what dataclasses.asdict gives, for every service."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random

from desktop.domain import catalog
from desktop.domain.feedback import Rating, Visit
from desktop.intake import demo


def test_to_dict_is_asdict_for_every_service():
    cat = catalog.load()
    for number in range(1, 21):
        svc = cat.service(number)
        case = demo.eligible_case(svc, cat, random.Random(number), dt.date(2026, 11, 27))
        demo.receive_all(svc, case)
        case.ratings.append(Rating("不满意", "2026-11-27T10:00:00+08:00", reasons=["态度"], note="慢"))
        case.visits.append(Visit("回访", "2026-12-01", satisfied=None))
        got, want = case.to_dict(), dataclasses.asdict(case)
        assert got == want and json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)
        assert got["applicant"] is not want["applicant"] and got["items"] is not case.items  # copies, as asdict


def test_no_repr_of_a_case_or_its_parts_carries_personal_data():
    """A case written into a log line, an exception or a crash report by its repr (`%r`, `{case!r}`, a list of
    cases) shows which case it is, never the people, the answers or anybody's words."""
    import logging
    import pprint

    from desktop.domain.case import Case, MaterialState, Person
    from desktop.domain.publicity import Publicity

    person = Person(name="䶮𠈌", id_number="11010519491231002X", phone="13812345678", address="长沙市芙蓉区某路8号")
    case = Case(service=3, number="439901-W03-20261201-0001", applicant=person,
                guardian=Person(name="阿依古丽·买买提艾力", id_number="430682201005184880"),
                answers={"disability_grade": 1, "illness": "尿毒症透析"},
                materials={"hukou_book": MaterialState(received="copy", count=1, note="户主已故")},
                ratings=[Rating("不满意", "2026-11-27T10:00:00+08:00", reasons=["态度"], note="王某某态度差")],
                visits=[Visit("回访", "2026-12-01", notes="本人说腿疼")],
                publicity=Publicity("2026-12-01", "2026-12-07", 5, objections=["邻居李某某称其有车"]))
    record = logging.LogRecord("desk", logging.ERROR, __file__, 1, "saving %r failed", (case,), None)
    texts = [repr(case), str(case), f"{case!r}", pprint.pformat([case, case.applicant, case.guardian]),
             repr(case.materials), repr(case.ratings), repr(case.visits), repr(case.publicity), record.getMessage()]
    secrets = ["䶮", "𠈌", "阿依古丽", "19491231", "20100518", "13812345678", "芙蓉区", "尿毒症", "disability_grade",
               "户主已故", "王某某", "腿疼", "李某某"]
    for text in texts:
        assert not [s for s in secrets if s in text], text
    assert "439901-W03-20261201-0001" in repr(case) and repr(case.applicant) == "Person(relation='', empty=False)"
