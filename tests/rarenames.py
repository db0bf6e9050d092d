"""The test set of rare names, one row per kind of character, with what must happen to it at the door and
on paper: used by tests/test_rare_names.py (import, every document, ledger, day close, sync, search) and
tests/ui/test_rare_names.py (the wizard).

door: "ok" (accepted silently), "warn" (accepted with a warning), "refuse" (not accepted, code point named).
printed: the text a PDF reader extracts for the name ("" when it never reaches paper).
"""

from __future__ import annotations

from typing import NamedTuple


class Rare(NamedTuple):
    what: str
    name: str
    door: str
    printed: str
    code: str  # the code point(s) the door's message names, for warn and refuse


RARE_NAMES = (
    # what                                   name                 door      printed             code
    Rare("URO 王秀英",                         "王秀英",             "ok",     "王秀英",            ""),
    Rare("Ext A 䶮 U+4DAE",                   "张䶮",               "ok",     "张䶮",              ""),
    Rare("Ext B 𠈌 U+2020C",                  "王𠈌",               "ok",     "王𠈌",              ""),
    Rare("Ext C U+2A700",                     "李\U0002a700",       "ok",     "李\U0002a700",      ""),
    Rare("Ext D U+2B740",                     "刘\U0002b740",       "ok",     "刘\U0002b740",      ""),
    Rare("Ext E U+2B820",                     "陈\U0002b820",       "ok",     "陈\U0002b820",      ""),
    Rare("Ext F U+2CEB0",                     "杨\U0002ceb0",       "ok",     "杨\U0002ceb0",      ""),
    Rare("Ext G U+30000 (BabelStone Han)",    "赵\U00030000",       "ok",     "赵\U00030000",      ""),
    Rare("Ext H U+31350 (BabelStone Han)",    "黄\U00031350",       "ok",     "黄\U00031350",      ""),
    Rare("Ext I U+2EBF0 (Jigmo)",             "周\U0002ebf0",       "ok",     "周\U0002ebf0",      ""),
    Rare("Ext J U+323B0 (Unicode 17, no face)", "郑\U000323b0",     "refuse", "",                  "U+323B0"),
    Rare("compatibility 豈 U+F900",           "吴\uf900",           "ok",     "吴\uf900",          ""),
    Rare("compatibility sup. U+2F804",        "徐\U0002f804",       "ok",     "徐\U0002f804",      ""),
    Rare("IVS 葛 U+845B U+E0100 (HanaMinA)",  "葛\U000e0100明",     "ok",     "葛\U000e0100明",    ""),
    Rare("IVS no face has U+E01EF",           "孙\U000e01ef",       "warn",   "孙",                "U+5B59 U+E01EF"),
    Rare("private use U+E000 (造字)",          "马\ue000",           "refuse", "",                  "U+E000"),
    Rare("IDS ⿰木木 U+2FF0",                  "林⿰木木",           "refuse", "",                  "U+2FF0"),
    Rare("Kangxi radical ⼈ U+2F08",           "⼈杰",               "refuse", "",                  "U+2F08"),
)
ACCEPTED = tuple(r for r in RARE_NAMES if r.door != "refuse")
REFUSED = tuple(r for r in RARE_NAMES if r.door == "refuse")
