"""Second-generation ID-card readers (二代身份证阅读器): read the card instead of typing it (docs/devices.md).

Two readers share one interface, `read() -> Card`:
- `TermbReader`: the vendor SDK most hall readers ship (华视 CVR-100 and compatibles, `termb.dll`), through
  ctypes on Windows: open the port (USB 1001–1016, serial 1–16), authenticate the card, read its content,
  then one getter per field. Strings come back in GBK. Blocking calls: run it off the GUI thread.
- `FileReader`: the same fields from a JSON file (and an optional photo), for tests, demos and training.

What the card says is still checked like typed input (`check`): the number's check digit and birth date, the
validity not expired. Characters a card's charset lacks are encoded by some readers in the private-use area;
`resources/idcard/pua.toml` maps the ones the county has confirmed, the rest are flagged for the 造字 check.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from desktop.domain import idnumber, paths
from desktop.domain.errors import DeskError, ValidationError
from desktop.domain.tomlfile import read_toml

PORTS = (*range(1001, 1017), *range(1, 17))  # USB first (most readers today), then COM1–COM16


@dataclass(frozen=True, repr=False)  # never a name, number or address in a log through a repr
class Card:
    """What a card holds. `photo` (the chip's photo, usually a WLT/BMP) is returned but never stored."""

    name: str
    sex: str
    nation: str
    birth: str  # YYYYMMDD as on the card
    address: str
    id_number: str
    authority: str
    valid_from: str  # YYYYMMDD
    valid_to: str  # YYYYMMDD or 长期
    photo: bytes = field(default=b"", repr=False)
    flagged: tuple[str, ...] = ()  # private-use characters with no confirmed mapping (造字 check)


class Reader(Protocol):
    def read(self) -> Card: ...


class FileReader:
    """A card from a JSON file with the card's field names (and `photo`: a file beside it)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def read(self) -> Card:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DeskError(f"读卡失败：模拟身份证文件不存在：{self.path}", field="idcard_file") from None
        except (OSError, ValueError) as exc:
            raise DeskError(f"读卡失败：模拟身份证文件 {self.path.name} 无法读取（{type(exc).__name__}）",
                            field="idcard_file") from None
        photo = self.path.with_name(data["photo"]).read_bytes() if data.get("photo") else b""
        keys = ("name", "sex", "nation", "birth", "address", "id_number", "authority", "valid_from", "valid_to")
        if missing := [k for k in keys if not isinstance(data.get(k), str)]:
            raise DeskError(f"读卡失败：模拟身份证文件缺少 {'、'.join(missing)}", field="idcard_file")
        return map_private_use(Card(**{k: data[k] for k in keys}, photo=photo))


class TermbReader:
    """The termb.dll SDK (Windows). Each call blocks up to a few seconds: call `read` on a worker."""

    GETTERS = (("name", "GetPeopleName"), ("sex", "GetPeopleSex"), ("nation", "GetPeopleNation"),
               ("birth", "GetPeopleBirthday"), ("address", "GetPeopleAddress"), ("id_number", "GetPeopleIDCode"),
               ("authority", "GetDepartment"), ("valid_from", "GetStartDate"), ("valid_to", "GetEndDate"))

    def __init__(self, dll: Path, port: int | None = None, *, load=None):
        self.dll_path, self.port = Path(dll), port
        self._load = load or _load_windows_dll

    def read(self) -> Card:
        sdk = self._open()
        try:
            if sdk.CVR_Authenticate() != 1:
                raise DeskError("读卡失败：没有放卡或卡片未被识别，请把身份证平放在阅读器上再读一次", field="idcard")
            if sdk.CVR_Read_Content(4) != 1:
                raise DeskError("读卡失败：卡片读取中断，请不要移动卡片，再读一次", field="idcard")
            values = {key: _get_text(sdk, fn) for key, fn in self.GETTERS}
        finally:
            sdk.CVR_CloseComm()
        photo = self.dll_path.with_name("zp.bmp")
        return map_private_use(Card(**values, photo=photo.read_bytes() if photo.exists() else b""))

    def _open(self):
        try:
            sdk = self._load(self.dll_path)
        except OSError as exc:
            raise DeskError(f"读卡器驱动无法加载：{self.dll_path}（{exc.strerror or type(exc).__name__}）。"
                            "请在“设置”中检查读卡器驱动路径，或手工录入", field="idcard_dll") from None
        for port in ([self.port] if self.port else PORTS):
            if sdk.CVR_InitComm(port) == 1:
                return sdk
        raise DeskError("读卡器未连接：在USB和串口上都没有找到阅读器，请检查连线后再试，或手工录入", field="idcard")


def _load_windows_dll(path: Path):
    import ctypes

    return ctypes.WinDLL(str(path))  # type: ignore[attr-defined]


def _get_text(sdk, getter: str) -> str:
    import ctypes

    buffer, length = ctypes.create_string_buffer(256), ctypes.c_int(256)
    getattr(sdk, getter)(buffer, ctypes.byref(length))
    return buffer.raw[: max(0, min(length.value, 256))].split(b"\0", 1)[0].decode("gbk", errors="replace").strip()


def make_reader(values: dict) -> Reader | None:
    """The reader the device settings name ('termb' or 'file'), or None when the window has none."""
    kind = (values.get("idcard_reader") or "").strip()
    if kind == "termb":
        port = values.get("idcard_port") or ""
        return TermbReader(Path(values.get("idcard_dll") or "termb.dll"), int(port) if port else None)
    if kind == "file":
        return FileReader(Path(values.get("idcard_file") or "idcard.json"))
    return None


def _pua_table() -> dict[str, str]:
    path = paths.resources_dir() / "idcard" / "pua.toml"
    table = read_toml(path).get("map", {}) if path.exists() else {}
    return {chr(int(k.removeprefix("U+"), 16)): v for k, v in table.items()}


def map_private_use(card: Card) -> Card:
    """Replace private-use characters the county has mapped; list the others in `flagged` (造字 check)."""
    table, flagged = _pua_table(), []

    def fix(text: str) -> str:
        out = []
        for ch in text:
            if 0xE000 <= ord(ch) <= 0xF8FF or 0xF0000 <= ord(ch) <= 0x10FFFD:
                if ch in table:
                    out.append(table[ch])
                    continue
                flagged.append(f"U+{ord(ch):04X}")
            out.append(ch)
        return "".join(out)

    fixed = replace(card, name=fix(card.name), address=fix(card.address))
    return replace(fixed, flagged=tuple(dict.fromkeys(flagged)))


def check(card: Card, today: dt.date | None = None) -> list[str]:
    """Check the card as typed input is checked: ValidationError for a bad number or an expired card;
    returns warnings (a character to confirm, a number's own notes)."""
    today = today or dt.date.today()
    info = idnumber.parse(card.id_number, today=today)
    if card.birth and card.birth != f"{info.birth_date:%Y%m%d}":
        raise ValidationError("身份证：卡面出生日期与号码不一致，请核对证件", field="id_number")
    if card.valid_to and card.valid_to != "长期":
        try:
            until = dt.datetime.strptime(card.valid_to, "%Y%m%d").date()
        except ValueError:
            raise ValidationError("身份证：有效期限无法识别，请手工核对", field="id_number") from None
        if until < today:
            raise ValidationError(f"身份证已过有效期（{until:%Y.%m.%d}），请申请人出示有效证件或临时身份证",
                                  field="id_number")
    warnings = list(info.warnings)
    if card.flagged:
        warnings.append(f"姓名或住址含读卡器私用区字符（{'、'.join(card.flagged)}），请按造字流程核对后确认")
    return warnings


def read_and_check(reader: Reader, today: dt.date | None = None) -> tuple[Card, list[str], float]:
    """Read one card and check it; returns the card, its warnings and the seconds the reader took."""
    started = time.monotonic()
    card = reader.read()
    return card, check(card, today), time.monotonic() - started
