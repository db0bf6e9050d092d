"""The citizen's pages in a real browser: Debian's chromium, driven by selenium through chromedriver, against a
real `python -m hub serve` process on loopback, at a phone's viewport (390×844) and a desk's (1366×768).

Skipped, with the reason, only where chromium or its driver is not installed (CI installs both: .ci/run).
Screenshots go to the test's tmp dir; `BROWSER_SHOTS=DIR` keeps them (the README's come from there).
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from pathlib import Path

import pytest

from desktop.sync import engine as sync
from tests.hub.deskside import new_case, open_store
from tests.hub.servers import HubProcess

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="chromium and chromium-driver are not installed (apt-get install -y chromium "
                                       "chromium-driver)")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")
SIZES = {"phone": (390, 844), "desk": (1366, 768)}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A hub process and a desk enrolled with it by the printed code."""
    root = tmp_path_factory.mktemp("citizen")
    hub = HubProcess(root / "hub").start()
    try:
        added = hub.hub_cli("device", "add", "W03", "--office", "演示县政务服务中心")
        store = open_store(root / "desk")
        sync.connect(store, hub.url, added.stdout.split("登记码：")[1].split("（")[0])
        yield hub, store, sync.SyncEngine(store, rng=random.Random(7))
        store.close()
    finally:
        hub.stop()


def _case(served, seed: int):
    """A 低保 case in 公示, synced to the hub."""
    from desktop.storage import publicity

    _hub, store, engine = served
    uuid = new_case(store, random.Random(seed), service=13)
    publicity.start(store, uuid, "城关镇幸福村村务公开栏", actor="测试")
    assert engine.sync_now().sent == 1
    return store.load(uuid)


@pytest.fixture(params=list(SIZES))
def browser(request):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    width, height = SIZES[request.param]
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", "--lang=zh-CN"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        driver.set_window_size(width, height)
        driver.size_name = request.param
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _shot(driver, tmp_path: Path, name: str) -> Path:
    """A full-page screenshot (the window grown to the page's height), kept under BROWSER_SHOTS if set."""
    width = driver.execute_script("return window.innerWidth")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    outer = driver.get_window_size()
    driver.set_window_size(outer["width"], max(outer["height"], height + outer["height"] - driver.execute_script(
        "return window.innerHeight")))
    path = tmp_path / f"{name}-{driver.size_name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 5000 and width > 0
    if keep := os.environ.get("BROWSER_SHOTS"):
        shutil.copy(path, Path(keep) / path.name)
    return path


def _submit(driver) -> None:
    """Press the form's button and wait until the browser has left the page: the answer's page replaces it, and an
    element looked up before it does belongs to the old page (a StaleElementReferenceException, or its text)."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element("tag name", "html")
    driver.find_element("css selector", "button[type=submit]").click()
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(page))


def _fits(driver) -> bool:
    """No sideways scrolling: the page is no wider than the viewport."""
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_progress_page_in_a_real_browser(served, browser, tmp_path):
    hub, case = served[0], _case(served, 1913)
    browser.get(f"{hub.url}/p/{case.public_code}")
    text = browser.find_element("tag name", "body").text
    assert "我要申请最低生活保障" in text and "已受理" in text and "公示中" in text and "幸福村村务公开栏" in text
    assert case.applicant.name[0] + "*" in text and all(i.due_date in text for i in case.items if i.due_date)
    html = browser.page_source
    assert case.applicant.name not in html and case.applicant.id_number[-6:] not in html
    assert case.number not in html
    assert _fits(browser), "the progress page scrolls sideways"
    _shot(browser, tmp_path, "progress")


def test_rating_in_a_real_browser_reaches_the_desk(served, browser, tmp_path):
    (hub, store, engine), case = served, _case(served, 1914 + len(browser.size_name))
    url = f"{hub.url}/p/{case.public_code}/rate"
    browser.get(f"{hub.url}/p/{case.public_code}")
    browser.find_element("link text", "评价本次服务").click()  # the relative link from the progress page
    assert browser.current_url == url
    assert _fits(browser), "the rating page scrolls sideways"
    _shot(browser, tmp_path, "rating")
    browser.find_element("css selector", "input[value=dissatisfied]").click()
    _submit(browser)
    assert "差评原因" in browser.find_element("class name", "error").text  # a 差评 needs a reason: form kept
    assert browser.find_element("css selector", "input[value=dissatisfied]").is_selected()
    browser.find_element("css selector", "input[value=waiting]").click()
    _submit(browser)
    assert "评价已提交" in browser.find_element("tag name", "body").text
    browser.find_element("link text", "查看办理进度").click()
    assert browser.current_url == f"{hub.url}/p/{case.public_code}" and "您已评价" in browser.page_source
    engine.sync_now()
    assert [(r.level, r.channel, r.reasons) for r in store.load(case.uuid).ratings] == [
        ("dissatisfied", "qr", ["waiting"])]
    browser.get(url)
    assert "只能评价一次" in browser.find_element("tag name", "body").text  # once per case


def test_an_unknown_code_is_a_plain_404_page(served, browser):
    hub = served[0]
    browser.get(f"{hub.url}/p/{'Z' * 22}")
    assert "未找到该页面" in browser.find_element("tag name", "h1").text and _fits(browser)
