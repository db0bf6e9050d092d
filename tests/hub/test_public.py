"""The citizen's pages (hub/public.py) on SQLite and PostgreSQL: their database work runs in worker threads, never
on the event loop, and the page allowance holds when those threads run side by side."""

from __future__ import annotations

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

from hub.limits import Window
from tests.hub.conftest import enroll, sample_case


def _published(hub) -> str:
    """A case with a citizen's code on the hub; its code."""
    case = sample_case(seed=5)
    case.public_code = secrets.token_urlsafe(16)
    body = {"revision": 1, "base_revision": 0, "payload": case.to_dict(), "blobs": []}
    assert hub.put(f"/v1/cases/{case.uuid}", json=body, headers=enroll(hub)).json()["ok"]
    return case.public_code


def test_the_pages_never_touch_the_database_on_the_event_loop(hub_server, hub, monkeypatch):
    code = _published(hub)
    threads: list[threading.Thread] = []
    connect = hub.engine.connect

    def recording_connect(*args, **kwargs):
        threads.append(threading.current_thread())
        return connect(*args, **kwargs)

    monkeypatch.setattr(hub.engine, "connect", recording_connect)
    assert hub.get(f"/p/{code}").status_code == 200
    assert hub.get(f"/p/{code}/rate").status_code == 200
    assert hub.post(f"/p/{code}/rate", data={"level": "dissatisfied"}).status_code == 422  # no reason given
    assert hub.get(f"/p/{'C' * 22}").status_code == 404
    assert len(threads) == 4 and hub_server.thread not in threads  # uvicorn's loop runs in hub_server.thread


def test_the_page_allowance_holds_for_threads_taking_at_once():
    window, start = Window(60, 60), threading.Barrier(16)

    def attempts(_: int) -> list[int]:
        start.wait()
        return [window.take("addr:10.0.0.9") for _ in range(10)]

    with ThreadPoolExecutor(16) as pool:
        waits = [w for batch in pool.map(attempts, range(16)) for w in batch]
    assert waits.count(0) == 60 and all(0 < w <= 60 for w in waits if w)
    assert window.take("addr:10.0.0.8") == 0  # another address has its own allowance


def test_sixty_views_a_minute_per_address_even_when_they_arrive_together(hub):
    code = _published(hub)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: hub.get(f"/p/{code}").status_code, range(70)))
    assert answers.count(200) == 60 and answers.count(429) == 10
