"""What the case model's and the catalog's frozen dataclasses cost a command at import, and what the alternatives
would (issue 16: a login command's own overhead ≤ 2× `python -c "import desktop"`). Each variant imports the same
modules in a fresh process; CPU time of the imports alone (process_time around them), median of --runs.

- as is: `@dataclass(frozen=True)` (Python 3.11 generates __init__, __repr__, __eq__, __hash__, __setattr__ and
  __delattr__ with exec per class);
- slots: the same with slots=True (one more class object per dataclass);
- no repr/eq: the generated methods cut to __init__ and the frozen setters (what the model could give up);
- __init__ only: not frozen either: the least a dataclass generates, near the floor of keeping them dataclasses
  (module-level instances such as states.ACTIONS need a generated __init__).

    python bench/casemodel.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

MODULES = ("desktop.domain.case", "desktop.domain.catalog", "desktop.accounts.roles", "desktop.domain.states",
           "desktop.domain.idnumber")
PATCH = {
    "as is": "",
    "slots": "kw.setdefault('slots', True)",
    "no repr/eq": "kw.update(repr=False, eq=False)",
    "__init__ only": "kw.update(repr=False, eq=False, frozen=False)",
}
CODE = """
import dataclasses, importlib, time
real = dataclasses.dataclass
def dataclass(cls=None, /, **kw):
    {patch}
    return real(cls, **kw) if cls is not None else real(**kw)
dataclasses.dataclass = dataclass
start = time.process_time()
for name in {modules!r}:
    importlib.import_module(name)
print(time.process_time() - start)
"""


def measure(patch: str, runs: int) -> float:
    code = CODE.format(patch=patch or "pass", modules=MODULES)
    times = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", code], env=common.env(), capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-800:])
        times.append(float(proc.stdout))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    print(common.load())
    base = None
    for name, patch in PATCH.items():
        t = measure(patch, runs)
        base = base or t
        print(f"{name:<12} {t * 1000:6.1f} ms CPU importing {', '.join(m.rsplit('.', 1)[1] for m in MODULES)}"
              f"   ({t / base:4.2f} of as is)")
    print(common.load())


if __name__ == "__main__":
    main()
