"""`python -m desktop screenshots OUTDIR`: every main screen and every wizard page to PNG at 1366×768."""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

WIDTH, HEIGHT = 1366, 768
_KEPT: list = []  # windows shot once and kept to the end of the run (see _signing_shot)


def _wait(app, done, seconds: float = 10.0) -> None:
    """Let background work (thumbnails) finish before a shot; a script, so a bounded poll is fine."""
    import time

    end = time.monotonic() + seconds
    while not done() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def _camera_shot(app, store, inbox, uuid: str, out_dir: Path, shot) -> None:
    """The 高拍仪 panel with a preview: the `file` camera shows the case's receipt turned on a dark mat (the settings
    are put back afterwards)."""
    import io

    from PIL import Image

    from desktop.forms import printing
    from desktop.intake import pdfpages
    from desktop.storage import settings

    frame = out_dir / "camera-frame.tmp.png"
    page = Image.open(io.BytesIO(pdfpages.first_page_png(printing.prepare(store, uuid, "receipt").pdf, max_px=820)))
    turned = page.convert("RGBA").rotate(6, expand=True, resample=Image.Resampling.BICUBIC)
    mat = Image.new("RGB", (1280, 960), (38, 40, 44))
    mat.paste(turned, ((1280 - turned.width) // 2, (960 - turned.height) // 2), turned)
    mat.save(frame)
    before = {k: settings.get(store.db, k) for k in ("camera", "camera_file")}
    settings.set_value(store.db, "camera", "file")
    settings.set_value(store.db, "camera_file", str(frame))
    panel = inbox.camera
    try:
        inbox.camera_button.click()
        _wait(app, lambda: panel.preview.pixmap() is not None and not panel.preview.pixmap().isNull())
        panel.capture()
        _wait(app, lambda: len(panel.pages) == 1)
        panel._on_frame(panel.source.grab())  # the preview at its laid-out size
        shot()
        inbox.camera_button.click()
        panel.pages.clear()
    finally:
        for key, value in before.items():
            settings.set_value(store.db, key, value)
        frame.unlink()


def _signing_shot(app, store, window, shot) -> None:
    """The citizen's signing window for a case applied for by proxy, half signed."""
    from PySide6.QtCore import QPointF, Qt

    from desktop.ui.signing import SigningDesk

    rows = [r for r in store.rows("state != 'draft'", limit=50) if store.load(r["uuid"]).is_proxy]
    if not rows:
        return
    desk = SigningDesk(store, "lixiaolan", window)
    signing = desk.start(rows[0]["uuid"])
    # a top-level window deleted after grab() makes Qt warn "shared QObject was deleted directly" (seen offscreen,
    # PySide6 6.12): the shot's copy is only closed, and kept until the run ends
    signing.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    _KEPT.append(signing)
    signing.resize(WIDTH, HEIGHT)
    points = [(80, 150), (130, 70), (170, 170), (220, 90), (270, 160), (330, 80), (400, 140), (470, 110)]
    signing.pad.strokes = [[(QPointF(x * 1.4, y), 3.5) for x, y in points]]
    signing.pad.changed.emit()
    app.processEvents()
    shot(signing)
    desk.close()


def capture(data_dir: Path, out_dir: Path, service: int = 3) -> list[Path]:
    """Render the screens from the data dir's cases (demo data gives a full set); returns the PNGs."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop.accounts.roles import Session
    from desktop.accounts.staff import Accounts
    from desktop.intake import demo
    from desktop.storage.store import Store
    from desktop.ui.app import make_app
    from desktop.ui.auth import LoginDialog
    from desktop.ui.mainwindow import MainWindow
    from desktop.ui.setup import SettingsDialog

    app = make_app([])
    out_dir.mkdir(parents=True, exist_ok=True)
    store = Store.open(data_dir)
    accounts = Accounts(store.db)
    shots: list[Path] = []
    login = LoginDialog(accounts, username="lixiaolan")
    login.show()
    window = MainWindow(store, Session("lixiaolan", "李晓兰", "clerk"), accounts)
    window.resize(WIDTH, HEIGHT)
    window.show()

    def shot(name: str, widget=None) -> None:
        app.processEvents()
        path = out_dir / f"{len(shots) + 1:02d}-{name}.png"
        (widget or window).grab().save(str(path))
        shots.append(path)

    shot("login", login)
    login.close()
    shot("home")
    window.home.finder.setText("cjrz")
    shot("home-finder")
    rows = store.rows("state != 'draft'", limit=1)
    if rows:
        window.home.search.setText(rows[0]["applicant_name"][:1])
        window.home.run_search()
        _wait(app, lambda: not window.home._searching)  # the query runs in the thread pool
        shot("home-search")
        window.open_case(rows[0]["uuid"])
        shot("case-view")
        from desktop.ui.rating import RatingWindow

        rated = store.load(rows[0]["uuid"])
        citizen = RatingWindow(rated, store.catalog.service(rated.service).name)
        citizen.resize(WIDTH, HEIGHT)
        shot("rating", citizen)
        citizen.level_buttons["dissatisfied"].click()
        shot("rating-reasons", citizen)
        citizen.close()
        publicised = store.rows("json_extract(payload, '$.publicity') IS NOT NULL", limit=1)
        if publicised:
            window.open_case(publicised[0]["uuid"])
            shot("case-publicity")
    case = demo.eligible_case(store.catalog.service(service), store.catalog, random.Random(7), dt.date.today())
    case.applicant.name = "欧阳䶮𠈌"
    window._open_wizard(case)
    wizard = window.wizard
    for index, page in enumerate(wizard.pages):
        wizard.go_to(index, check=False)
        shot(f"wizard-{service}-{index + 1}-{page.title}")
    wizard.go_to(0, check=False)
    wizard.pages[0].applicant.id_number.setText(case.applicant.id_number[:-1] + "0")
    wizard.go_to(1)
    shot(f"wizard-{service}-error")
    window.go_home()  # closes (and saves) the wizard first, so the discard below is final
    store.discard_draft(case.uuid)
    dialog = SettingsDialog(store, parent=window)
    dialog.resize(700, 560)
    dialog.show()
    shot("settings", dialog)
    dialog.close()
    if rows:
        window.open_case(rows[0]["uuid"])
    window.open_inbox()
    _wait(app, lambda: all(not window._inbox.list.item(r).icon().isNull() for r in range(window._inbox.list.count())))
    shot("inbox")
    if rows:
        _camera_shot(app, store, window._inbox, rows[0]["uuid"], out_dir, lambda: shot("inbox-camera"))
        _signing_shot(app, store, window, lambda w: shot("signing", w))
    window.inbox_dock.hide()
    window.lock()
    shot("locked")
    window._on_switched(Session("zhangli", "张丽", "supervisor"))
    window.open_ledger()
    page = window._ledger
    page.date_from.setDate(page.date_from.date().addDays(-13))
    page.run_query()
    _wait(app, lambda: page.result is not None)
    shot("ledger")
    window.open_followup()
    shot("followup")
    window._on_switched(Session("admin", "黄建华", "admin"))
    shot("users")
    window._on_switched(Session("pengzhiyuan", "彭志远", "auditor"))
    shot("audit")
    window.close()
    store.close()
    return shots
