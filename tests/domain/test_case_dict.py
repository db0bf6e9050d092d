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
