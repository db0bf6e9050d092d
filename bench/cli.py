"""A CLI command's own overhead at 1k / 10k / 100k cases, as a ratio against `python -c "import desktop"` started the
same way. Budget (issue 16): ≤ 2 for a command that does little work of its own.

Every command is a fresh process on the cached data dir; they alternate with the baseline, so load spikes
fall on both. Each command's CPU time (user + system, from wait4) is printed too, as a ratio against the
baseline's: under the shared machine's load it moves far less than wall time. `case show` and `case list` log in: argon2 at the desk's parameters (m=64 MiB, t=3, p=4) costs
about 330 ms of CPU here, ten times the baseline by itself; it is measured in this process and the ratio is also
printed without it.

    python bench/cli.py [--sizes 1000,10000,100000] [--runs 7]
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common, data


def commands(size: int) -> dict[str, tuple[list[str], dict[str, str] | None]]:
    folder = data.data_dir(size)
    with sqlite3.connect(folder / "desk.sqlite") as conn:
        number, day = conn.execute("SELECT number, accepted_date FROM cases WHERE number IS NOT NULL "
                                   "ORDER BY accepted_at DESC").fetchone()
    desk = lambda *a: common.python("-m", "desktop", *a, "--data-dir", str(folder))  # noqa: E731
    login = common.env(DESK_PASSWORD=common.PASSWORD)
    return {
        "baseline": (common.python("-c", "import desktop"), None),
        "id check": (desk("id", "check", "11010519491231002X"), None),
        "catalog list": (desk("catalog", "list"), None),
        "settings show": (desk("settings", "show"), None),
        "case show (login)": (desk("case", "show", number, "--user", "lixiaolan"), login),
        "case list (login, one day)": (desk("case", "list", "--date", day, "--user", "lixiaolan"), login),
    }


def main() -> None:
    args = common.arguments(runs=7)
    for size in args.sizes:
        times = common.alternate(commands(size), args.runs)
        cpu = common.alternate(commands(size), args.runs, timer=common.cpu_timed)
        argon2, argon2_cpu = common.password_check()
        base, cpu_base = times.pop("baseline"), cpu.pop("baseline")
        for name, t in times.items():
            print(common.line(f"CLI {name}, {size} cases", t, base, 2.0))
            print(f"{'':<44} CPU {cpu[name] * 1000:5.0f} ms / baseline {cpu_base * 1000:4.0f} ms   "
                  f"ratio {cpu[name] / cpu_base:5.2f}")
            if "login" in name:
                print(f"{'':<44} without the password check (argon2 measured after: {argon2 * 1000:.0f} ms, "
                      f"CPU {argon2_cpu * 1000:.0f} ms): ratio {(t - argon2) / base:5.2f}, "
                      f"CPU {(cpu[name] - argon2_cpu) / cpu_base:5.2f}")


if __name__ == "__main__":
    main()
