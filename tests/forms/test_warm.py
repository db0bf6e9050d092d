"""The desk's warm-up (forms.warm, run on a thread once the window shows) leaves the first receipt after start
only its own layout (issue 16: < 300 ms): in a fresh process, printing after warm() imports no module, reads no
font coverage and compiles no pattern. bench/firstprint.py times it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys, tempfile
from pathlib import Path
sys.path[:0] = [{root!r}, {bench!r}]
from desktop import forms
from desktop.forms import fontindex, fonts
from receipt import real_case

with tempfile.TemporaryDirectory() as tmp:
    case, catalog, office = real_case(Path(tmp))
if {warm!r}:
    forms.warm()
paid = []
load, outside = fontindex.load, fonts._outside
fontindex.load = lambda *a: paid.append("coverage") or load(*a)
fonts._outside = lambda *a: paid.append("pattern") or outside(*a)
before = set(sys.modules)
pdf = forms.render("receipt", case, catalog, office_info=office)
# a codec's module (utf_16_be, for the ToUnicode map) is a lookup of well under a millisecond
print(json.dumps({{"imported": sorted(m for m in set(sys.modules) - before if not m.startswith("encodings.")), "paid": paid, "pdf": pdf[:5].decode()}}))
"""


def first_receipt(warm: bool) -> dict:
    code = CHILD.format(root=str(ROOT), bench=str(ROOT / "bench"), warm=warm)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ,
                         cwd=ROOT, timeout=120).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_after_the_warm_up_the_first_receipt_pays_only_its_layout():
    warmed, cold = first_receipt(True), first_receipt(False)
    assert warmed == {"imported": [], "paid": [], "pdf": "%PDF-"}
    # what the warm-up takes off the first print: the test would see it come back
    assert "reportlab.graphics.barcode.qrencoder" in cold["imported"] and cold["paid"] == ["coverage", "pattern"]
