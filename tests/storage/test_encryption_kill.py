"""The conversion killed for real (SIGKILL / TerminateProcess) at the moments that matter: nothing is lost."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.accounts.staff import Accounts
from desktop.storage import crypto, encrypt
from desktop.storage.blobs import BlobStore
from desktop.storage.store import Store
from tests.storage.test_encryption import ADMIN_PW, accept_canary

CONVERT = """
import sys
from pathlib import Path
from desktop.storage import encrypt
encrypt.convert(Path(sys.argv[1]), "admin", sys.argv[2])
"""


@pytest.fixture(autouse=True)
def _locked_after():
    yield
    crypto._unlocked.clear()


def wait_for(path: Path, proc: subprocess.Popen) -> None:
    """Until `path` appears or the process ends (no sleep: the conversion's own files are the signal)."""
    while not path.exists() and proc.poll() is None:
        pass


@pytest.mark.parametrize("moment", [encrypt.NEW, crypto.KEYS_NAME])
def test_a_kill_during_the_conversion_loses_nothing(store: Store, data_dir: Path, catalog, moment: str):
    Accounts(store.db).create_admin("admin", "黄建华", ADMIN_PW)
    accept_canary(store, 3)
    rng = random.Random(5)
    scans = {BlobStore.of(data_dir).put_bytes(rng.randbytes(50_000))[0] for _ in range(150)}
    store.close()
    proc = subprocess.Popen([sys.executable, "-c", CONVERT, str(data_dir), ADMIN_PW])
    wait_for(data_dir / moment, proc)
    proc.kill()
    proc.wait()
    if crypto.is_encrypted(data_dir):
        crypto.unlock_password(data_dir, "admin", ADMIN_PW)
    reopened = Store.open(data_dir, catalog)
    assert reopened.db.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
    blobs = BlobStore.of(data_dir)
    assert all(len(blobs.read(sha)) == 50_000 for sha in scans)
    reopened.close()
    assert not (data_dir / encrypt.NEW).exists()
