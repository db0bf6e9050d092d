"""Hubs for tests: in a thread of this process (fast), or as a real `python -m hub serve` process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx


class ThreadedHub:
    """The real app on uvicorn, on a loopback port, in a thread; `.engine` is the hub's database."""

    def __init__(self, config):
        import uvicorn

        from hub.app import create_app

        self.app = create_app(config)
        self.engine = self.app.state.engine
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # see hub/cli.py
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="error", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> ThreadedHub:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "hub thread did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


class HubProcess:
    """`python -m hub serve --port P` as a subprocess; waits until /v1/hello answers with the envelope."""

    def __init__(self, data_dir: Path, *, db_url: str | None = None, port: int = 0, env: dict[str, str] | None = None):
        self.data_dir, self.db_url, self.port, self.env = data_dir, db_url, port, env or {}
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> HubProcess:
        cmd = [sys.executable, "-m", "hub", "serve", "--port", str(self.port), "--data-dir", str(self.data_dir)]
        if self.db_url:
            cmd += ["--db", self.db_url]
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.stderr = (self.data_dir / "serve.err").open("ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr, text=True,
                                     encoding="utf-8", env=dict(os.environ, PYTHONUNBUFFERED="1", **self.env))
        line = self.proc.stdout.readline()
        assert "http://" in line, f"hub did not start: {line!r} {self.err()}"
        self.url = "http://" + line.split("http://")[1].split()[0]
        self.port = int(self.url.rsplit(":", 1)[1])
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(self.url + "/v1/hello", timeout=1).json().get("ok"):
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and self.proc.poll() is None, f"hub not answering: {self.err()}"
            time.sleep(0.05)

    def err(self) -> str:
        path = self.data_dir / "serve.err"
        return path.read_text(encoding="utf-8", errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc:
            self.proc.stdout.close()
            self.stderr.close()

    def hub_cli(self, *args: str) -> subprocess.CompletedProcess:
        """Run `python -m hub ARGS` against this hub's data dir and database."""
        cmd = [sys.executable, "-m", "hub", *args, "--data-dir", str(self.data_dir)]
        if self.db_url:
            cmd += ["--db", self.db_url]
        return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=60)
