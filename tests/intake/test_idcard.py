"""ID-card readers: the file-backed reader every test and demo uses, and the termb.dll SDK driven through a
stand-in for the DLL (the real one only exists on the hall's Windows PCs). The card is checked like typed input."""

from __future__ import annotations

import ctypes
import datetime as dt
import json
from pathlib import Path

import pytest

from desktop.domain import idnumber, paths
from desktop.domain.errors import DeskError, ValidationError
from desktop.intake import idcard

TODAY = dt.date(2026, 12, 1)
NUMBER = "43052119550308" + "002"
NUMBER += idnumber.check_digit(NUMBER)


def card_file(tmp_path: Path, **changes) -> Path:
    data = {"name": "王𠈌", "sex": "男", "nation": "汉", "birth": "19550308", "address": "湖南省邵阳县白水乡白水村3组",
            "id_number": NUMBER, "authority": "邵阳县公安局", "valid_from": "20160308", "valid_to": "长期",
            "photo": "zp.bmp"} | changes
    (tmp_path / "zp.bmp").write_bytes(b"BM-photo")
    path = tmp_path / "card.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_file_reader_gives_the_card_and_it_checks_like_typed_input(tmp_path):
    card, warnings, _ = idcard.read_and_check(idcard.FileReader(card_file(tmp_path)), TODAY)
    assert (card.name, card.id_number, card.photo) == ("王𠈌", NUMBER, b"BM-photo") and warnings == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"valid_to": "20260101"}, "身份证已过有效期（2026.01.01）"),
    ({"birth": "19550309"}, "出生日期与号码不一致"),
    ({"id_number": NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1")}, "校验"),
])
def test_an_expired_or_inconsistent_card_is_refused_in_words(tmp_path, changes, message):
    with pytest.raises(ValidationError) as err:
        idcard.read_and_check(idcard.FileReader(card_file(tmp_path, **changes)), TODAY)
    assert message in err.value.message and NUMBER not in err.value.message


def test_private_use_characters_are_mapped_from_the_countys_table_or_flagged(tmp_path, monkeypatch):
    resources = tmp_path / "resources"
    (resources / "idcard").mkdir(parents=True)
    (resources / "idcard" / "pua.toml").write_text('[map]\n"U+E83A" = "䶮"\n', encoding="utf-8")
    monkeypatch.setattr(paths, "resources_dir", lambda: resources)
    card = idcard.FileReader(card_file(tmp_path, name="刘\ue83a", address="白水村\ue000组")).read()
    assert card.name == "刘䶮" and card.flagged == ("U+E000",)
    assert "U+E000" in idcard.check(card, TODAY)[-1] and "造字" in idcard.check(card, TODAY)[-1]


class FakeTermb:
    """Stands in for termb.dll: a reader on USB port 1003, and a card (or none) on it."""

    def __init__(self, values: dict[str, str] | None, port: int = 1003):
        self.values, self.port, self.closed = values, port, False

    def CVR_InitComm(self, port):  # noqa: N802 - the SDK's names
        return 1 if port == self.port else 0

    def CVR_Authenticate(self):  # noqa: N802
        return 1 if self.values is not None else 0

    def CVR_Read_Content(self, active):  # noqa: N802
        return 1

    def CVR_CloseComm(self):  # noqa: N802
        self.closed = True

    def __getattr__(self, getter):
        key = dict((fn, k) for k, fn in idcard.TermbReader.GETTERS)[getter]

        def get(buffer, length_ref):
            raw = self.values[key].encode("gbk")
            ctypes.memmove(buffer, raw, len(raw))
            length_ref._obj.value = len(raw)
            return 1

        return get


CARD = {"name": "张桂兰", "sex": "女", "nation": "汉", "birth": "19550308", "address": "湖南省邵阳县白水乡石门村",
        "id_number": NUMBER, "authority": "邵阳县公安局", "valid_from": "20160308", "valid_to": "长期"}


def test_termb_finds_the_usb_port_reads_gbk_and_closes_the_port(tmp_path):
    sdk = FakeTermb(CARD)
    card = idcard.TermbReader(tmp_path / "termb.dll", load=lambda path: sdk).read()
    assert (card.name, card.address, card.id_number) == ("张桂兰", "湖南省邵阳县白水乡石门村", NUMBER)
    assert sdk.closed


def test_termb_failures_are_one_chinese_sentence_each(tmp_path):
    no_card = FakeTermb(None)
    with pytest.raises(DeskError, match="没有放卡"):
        idcard.TermbReader(tmp_path / "termb.dll", load=lambda path: no_card).read()
    assert no_card.closed
    with pytest.raises(DeskError, match="读卡器未连接"):
        idcard.TermbReader(tmp_path / "termb.dll", load=lambda path: FakeTermb(CARD, port=99)).read()

    def missing(path):
        raise OSError(2, "找不到指定的模块")

    with pytest.raises(DeskError, match="读卡器驱动无法加载"):
        idcard.TermbReader(tmp_path / "termb.dll", load=missing).read()


def test_the_settings_choose_the_reader(tmp_path):
    assert idcard.make_reader({"idcard_reader": ""}) is None
    assert isinstance(idcard.make_reader({"idcard_reader": "file", "idcard_file": str(tmp_path)}), idcard.FileReader)
    reader = idcard.make_reader({"idcard_reader": "termb", "idcard_dll": "C:/CVR100/termb.dll", "idcard_port": "1001"})
    assert isinstance(reader, idcard.TermbReader) and reader.port == 1001
