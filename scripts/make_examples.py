"""Write docs/examples/NN-name.json: one valid `case import` file per service (a test imports each)."""

import datetime as dt
import json
import random
from pathlib import Path

from desktop.domain import catalog
from desktop.intake import demo
from desktop.intake.importer import case_to_json

OUT = Path(__file__).resolve().parent.parent / "docs" / "examples"


def main() -> None:
    cat = catalog.load()
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    for number, service in cat.services.items():
        case = demo.eligible_case(service, cat, random.Random(number), dt.date(2026, 11, 27))
        demo.receive_all(service, case)
        data = case_to_json(case)
        path = OUT / f"{number:02d}.json"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
