"""Sync throughput: N cases with scans, synced to a real hub over loopback, as a ratio against a raw HTTP
upload of the same bytes in the same run, with the same number of connections. Budget (DESIGN.md §7): ≥ 50 %.
Two shapes: `--shape big` (1,000 cases × 3 × 200 KB, the default) and `--shape small` (2,000 cases × one
20 KB scan: per-case cost, not bytes). `--queries N` instead times the supervisor's queries at N cases.

Baseline: the same bytes the sync sends, one PUT per case (its JSON and its scan files read from disk, as a
bundle carries them), over keep-alive connections (httpx, as many threads and connections as the desk's sync
uses: push.PARALLEL) to a bare ASGI app on uvicorn in its own process that reads each body and answers 200:
the floor any HTTP upload of the same requests pays here.
For context it also times the same PUTs to a sink that stores each file durably (fsync, rename, directory
fsync) as the hub must; the budget's ratio is against the plain raw upload.
Sync: one `SyncEngine.sync_now()` pass to `python -m hub serve` (SQLite) in its own process: every scan
hashed and fsynced on the hub, every case validated and committed on both sides, all answers checked.

    .venv/bin/python bench/sync.py [--cases 1000] [--scans 3] [--size 200000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load() -> str:
    from bench.common import load as machine_load

    return machine_load()


def raw_server(durable_dir: str | None) -> None:
    """`bench/sync.py --raw-server [DIR]`: the baseline's sink, printing its URL as the first line. With DIR
    it also stores each body durably as the hub does (file fsynced, renamed, directory fsynced)."""
    import socket

    import anyio
    import uvicorn

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        more, body = True, []
        while more:
            message = await receive()
            more = message.get("more_body", False)
            body.append(message.get("body", b""))
        if durable_dir:
            await anyio.to_thread.run_sync(store, b"".join(body))
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"ok":true}'})

    def store(data: bytes) -> None:
        import hashlib

        from desktop.protocol.files import fsync_dir as _fsync_dir

        name = hashlib.sha256(data).hexdigest()
        final = Path(durable_dir) / name[:2] / name
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_suffix(".tmp")
        with tmp.open("wb") as f:
            f.write(data)
            os.fsync(f.fileno())
        os.replace(tmp, final)
        _fsync_dir(final.parent)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # see hub/cli.py
    sock.bind(("127.0.0.1", 0))
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])


def start(cmd: list[str]) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8", cwd=ROOT)
    line = proc.stdout.readline()
    return proc, "http://" + line.split("http://")[1].split()[0]


def wait_ready(url: str) -> None:
    import httpx

    for _ in range(400):
        try:
            httpx.get(url + "/v1/hello", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise SystemExit(f"server at {url} did not answer")


def make_desk(data_dir: Path, cases: int, scans: int, size: int) -> list[tuple[str, list[Path]]]:
    """A desk with `cases` accepted cases, each with `scans` filed scans of random bytes; per case, its payload
    (as JSON) and its scan files."""
    from desktop.domain import catalog
    from desktop.intake import demo, documents
    from desktop.storage import settings
    from desktop.storage.blobs import BlobStore
    from desktop.storage.store import Store

    store = Store.open(data_dir, catalog.load())
    for key, value in {"county_code": "439901", "window_code": "W03", "office": "演示县政务服务中心"}.items():
        settings.set_value(store.db, key, value)
    rng, blobs, out = random.Random(1), BlobStore.of(data_dir), []
    now = dt.datetime.now().astimezone()
    for n in range(cases):
        svc = store.catalog.service(n % 20 + 1)
        case = demo.eligible_case(svc, store.catalog, rng, now.date())
        demo.receive_all(svc, case)
        case = store.accept(case)
        docs, files = [], []
        with store.db.atomic():
            for _ in range(scans):
                sha, got = blobs.put_bytes(rng.randbytes(size))
                documents.add_blob(store, sha=sha, size=got, mime="image/jpeg", pages=1, now=now)
                docs.append((documents.insert(store, sha=sha, name="scan.jpg", pages=1, received_at=now.isoformat()),
                             svc.materials[0].id))
                files.append(blobs.path(sha))
            documents.file_many(store, case.uuid, docs, now=now, actor="", kind="scan_filed")
        out.append((case.uuid, files))
    payloads = dict(store.db.execute("SELECT uuid, payload FROM cases").fetchall())
    store.close()
    return [(payloads[uuid], files) for uuid, files in out]


def raw_upload(url: str, cases: list[tuple[str, list[Path]]]) -> float:
    """One PUT per case, as the sync sends a case with its small scans (a bundle): the case's JSON and its scan
    files read from disk, the same bytes over the same number of connections, to a sink that reads them."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from desktop.sync.push import PARALLEL

    def put(item: tuple[int, tuple[str, list[Path]]]) -> None:
        n, (payload, files) = item
        body = b"".join([payload.encode("utf-8"), *(f.read_bytes() for f in files)])
        client.put(f"/upload/{n}", content=body).raise_for_status()

    wait_ready(url)
    start_at = time.perf_counter()
    with httpx.Client(base_url=url, timeout=60, limits=httpx.Limits(max_connections=PARALLEL)) as client, \
            ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(put, enumerate(cases)))
    return time.perf_counter() - start_at


def run_sync(data_dir: Path, hub_url: str, hub_dir: Path) -> tuple[float, object]:
    from desktop.domain import catalog
    from desktop.storage.store import Store
    from desktop.sync import engine as sync

    code = subprocess.run([sys.executable, "-m", "hub", "device", "add", "W03", "--office", "演示县",
                           "--data-dir", str(hub_dir)], capture_output=True, text=True, encoding="utf-8", cwd=ROOT, check=True)
    store = Store.open(data_dir, catalog.load())
    sync.connect(store, hub_url, code.stdout.split("登记码：")[1].split("（")[0])
    engine = sync.SyncEngine(store)
    start_at = time.perf_counter()
    report = engine.sync_now()
    elapsed = time.perf_counter() - start_at
    store.close()
    return elapsed, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=("big", "small"), default="big")
    parser.add_argument("--cases", type=int)
    parser.add_argument("--scans", type=int)
    parser.add_argument("--size", type=int)
    parser.add_argument("--queries", type=int, help="time the supervisor's queries at this many hub cases")
    parser.add_argument("--raw-server", nargs="?", const="", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw_server is not None:
        raw_server(args.raw_server or None)
        return 0
    if args.queries:
        from bench.hubscale import main as queries

        return queries(args.queries)
    shape = {"big": (1000, 3, 200_000), "small": (2000, 1, 20_000)}[args.shape]
    args.cases, args.scans, args.size = (args.cases or shape[0], args.scans or shape[1], args.size or shape[2])
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    print(f"preparing {args.cases} cases × {args.scans} scans × {args.size // 1000} KB in {tmp} …", flush=True)
    cases = make_desk(tmp / "desk", args.cases, args.scans, args.size)
    total_mb = sum(len(p.encode()) + sum(f.stat().st_size for f in files) for p, files in cases) / 1e6
    raw, raw_url = start([sys.executable, __file__, "--raw-server"])
    durable, durable_url = start([sys.executable, __file__, "--raw-server", str(tmp / "durable")])
    hub, hub_url = start([sys.executable, "-m", "hub", "serve", "--port", "0", "--data-dir", str(tmp / "hub")])
    try:
        wait_ready(hub_url)
        print(f"before the runs: {load()}", flush=True)
        raw_s = raw_upload(raw_url, cases)
        durable_s = raw_upload(durable_url, cases)
        sync_s, report = run_sync(tmp / "desk", hub_url, tmp / "hub")
    finally:
        for proc in (raw, durable, hub):
            proc.terminate()
            proc.wait(10)
    assert report.ok and report.sent == args.cases and report.pending == 0, report
    ratio = raw_s / sync_s
    print(f"raw HTTP upload : {raw_s:7.2f} s  {total_mb / raw_s:7.1f} MB/s  ({len(cases)} PUTs, {total_mb:.0f} MB)")
    print(f"raw + fsync     : {durable_s:7.2f} s  {total_mb / durable_s:7.1f} MB/s  (context: the same PUTs, each "
          f"stored durably as the hub does; not the budget's baseline)")
    print(f"sync            : {sync_s:7.2f} s  {total_mb / sync_s:7.1f} MB/s  ({report.sent} cases, "
          f"{report.blobs_sent} scans)")
    print(f"ratio sync/raw throughput: {ratio:.2f}  (budget ≥ 0.50: {'ok' if ratio >= 0.5 else 'OVER BUDGET'})")
    print(f"after the runs: {load()}")
    os.environ.get("KEEP_BENCH_DIR") or __import__("shutil").rmtree(tmp, ignore_errors=True)
    return 0 if ratio >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
