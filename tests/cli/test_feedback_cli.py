"""好差评, 整改 and 回访 from the command line: a paper form typed in, the lists, refusals in one Chinese line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import refused, run

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"


def test_rate_rectify_and_visit_from_the_command_line(cli_dir):
    number = json.loads(run("case", "import", str(EXAMPLES / "03.json"), "--json", data_dir=cli_dir).stdout)["number"]
    assert "差评原因" in refused("rating", "add", number, "不满意", data_dir=cli_dir)
    assert "评价等级" in refused("rating", "add", number, "还行", data_dir=cli_dir)
    run("rating", "add", number, "不满意", "--reason", "waiting", "--note", "等了很久", data_dir=cli_dir)
    [open_] = json.loads(run("rating", "open", "--json", data_dir=cli_dir).stdout)
    assert open_["number"] == number and open_["applicant_name"].endswith("*")
    [visit] = json.loads(run("visit", "list", "--json", data_dir=cli_dir).stdout)
    assert (visit["number"], visit["reason"], visit["overdue"]) == (number, "bad_rating", False)
    run("rating", "rectify", number, "--result", "已调整窗口分流", data_dir=cli_dir)
    run("visit", "record", number, "bad_rating", "--reached", "yes", "--satisfied", "yes", data_dir=cli_dir)
    assert json.loads(run("rating", "open", "--json", data_dir=cli_dir).stdout) == []
    assert json.loads(run("visit", "list", "--json", data_dir=cli_dir).stdout) == []
    [totals] = json.loads(run("rating", "totals", "--json", data_dir=cli_dir).stdout)
    assert (totals["count"], totals["bad"], totals["rectified"], totals["satisfaction"]) == (1, 1, 1, 0.0)
    shown = json.loads(run("case", "show", number, "--json", data_dir=cli_dir).stdout)
    assert any("不满意（书面评价表）" in line and "已整改" in line for line in shown["feedback"])


def test_publicity_from_the_command_line(cli_dir):
    number = json.loads(run("case", "import", str(EXAMPLES / "13.json"), "--json", data_dir=cli_dir).stdout)["number"]
    assert "公示地点" in refused("publicity", "start", number, data_dir=cli_dir)
    started = json.loads(run("publicity", "start", number, "--place", "幸福村村务公开栏", "--on", "2026-12-01",
                             "--json", data_dir=cli_dir).stdout)
    assert started["publicity"]["end"] == "2026-12-07" and "7天" in started["stage"]
    run("publicity", "objection", number, "--note", "反映有经营收入", data_dir=cli_dir)
    assert "公示结果" in refused("publicity", "end", number, data_dir=cli_dir)
    ended = run("publicity", "end", number, "--result", "objection_upheld", data_dir=cli_dir).stdout
    assert "公示已结束" in ended and "异议成立" in ended
    shown = run("case", "show", number, data_dir=cli_dir).stdout
    assert "公示：公示已结束" in shown and "公示开始" in shown and "公示期间收到异议" in shown
