"""Device settings, each declared once with its type, default, Chinese title and check; stored in the database."""

from __future__ import annotations

import json
import re
from collections import namedtuple

from desktop.domain.errors import ValidationError
from desktop.storage.db import Database

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from typing import Any


class Setting(namedtuple("Setting", "key title default kind pattern hint", defaults=("", "str", "", ""))):
    """One setting: `kind` is 'str' or 'json'; `pattern` (if any) must match a non-empty value.

    A named tuple, not a dataclass: every command that reads a setting would import dataclasses, inspect and
    ast for it (≈20 ms, issue 16)."""

    __slots__ = ()


SETTINGS = {
    s.key: s
    for s in (
        Setting("county_code", "区划代码", pattern=r"^43\d{4}$", hint="6位县级行政区划代码，湖南为43开头"),
        Setting("county_name", "县（市、区）名称"),
        Setting("office", "办理点", hint="如：某某县政务服务中心、某某镇便民服务中心"),
        Setting("window_code", "窗口或设备编号", pattern=r"^[A-Z0-9]{1,6}$", hint="1–6位大写字母或数字，如 W03、L12"),
        Setting("clerk", "当前工作人员姓名"),
        Setting("scanner_folder", "扫描文件夹"),
        Setting("default_printer", "默认打印机"),
        Setting("printers", "各文书打印机", default={}, kind="json", hint="文书 → 打印机；未设的用默认打印机"),
        Setting("office_phone", "窗口咨询电话", pattern=r"^[0-9+\-（）() 转]{3,30}$", hint="印在受理回执和告知书上，如 0731-88886666"),
        Setting("office_address", "办理点地址", hint="印在一次性告知书上：补正材料送到哪里"),
        Setting("complaint_phone", "监督投诉电话", default="12345", pattern=r"^[0-9+\-（）() 转]{3,30}$",
                hint="印在受理回执、不予受理通知书上，与咨询电话分开；默认12345"),
        Setting("progress_url", "进度查询网址", hint="汇聚服务器的群众查询地址，如 https://hub.example.gov.cn/p/{code}；{code} 处填入每件案件的随机查询码；空则二维码只含编号"),
        Setting("consent_mask_id", "委托书隐藏委托人身份证号中间位", default="no", pattern=r"^(yes|no)$", hint="yes 或 no（默认 no：委托书上印完整号码）"),
        Setting("hub_url", "县级汇聚服务器地址"),
        Setting("hub_ca_bundle", "汇聚服务器的根证书文件", hint="县里自建证书时填 PEM 证书文件路径；空则用系统证书库"),
        Setting("townships", "乡镇与村（社区）", default=[], kind="json"),
        Setting("lock_minutes", "空闲锁屏（分钟）", default="5", pattern=r"^([1-9]|[12]\d|30)$", hint="1–30，默认5"),
        Setting("idcard_reader", "身份证阅读器", pattern=r"^(termb|file)$",
                hint="留空：不用读卡器；termb：厂商驱动 termb.dll；file：模拟卡文件（培训、测试）"),
        Setting("idcard_dll", "读卡器驱动（termb.dll）路径", hint="如 C:\\Program Files\\CVR100\\termb.dll"),
        Setting("idcard_port", "读卡器端口", pattern=r"^(100[1-9]|101[0-6]|[1-9]|1[0-6])$",
                hint="留空自动查找；USB 为 1001–1016，串口为 1–16"),
        Setting("idcard_file", "模拟身份证文件", hint="file 模式下读取的 JSON 文件"),
        Setting("camera", "高拍仪", pattern=r"^(uvc|file)$",
                hint="留空不用；uvc：USB高拍仪；file：模拟画面（培训、测试）"),
        Setting("camera_device", "高拍仪设备名称", hint="留空用第一台摄像头；或设备名称中的一段，如 高拍仪"),
        Setting("camera_file", "模拟高拍仪画面", hint="file 模式下作为画面的图片（PNG 或 JPEG）"),
        Setting("signing", "屏上签名", pattern=r"^(screen|window)$",
                hint="留空只签纸面；screen：第二屏；window：本屏（手写板）"),
        Setting("visit_days", "办结后回访期限（工作日）", default="15", pattern=r"^([1-9]|[1-5]\d|60)$",
                hint="办结（或差评）后多少个工作日内回访，1–60，默认15"),
        Setting("visit_services", "需回访的一件事", default=[], kind="json", hint="一件事编号列表，如 [13, 14]；空则全部回访"),
        Setting("rating_url", "评价网址", hint="另设的评价网址，{code} 处填入随机查询码；空则用进度查询网址后加 /rate（汇聚服务器的评价页）"),
        Setting("backup_folder", "定时备份文件夹", hint="如U盘上的文件夹 E:\\工作台备份；留空则不定时备份"),
        Setting("backup_schedule", "定时备份方式", default="daily", pattern=r"^(daily|hours)$",
                hint="daily：每天下班时（备份时间）；hours：每隔几小时"),
        Setting("backup_time", "每日备份时间", default="17:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
                hint="24小时制，如 17:30；此时或之后工作台开着即备份"),
        Setting("backup_hours", "每隔几小时备份", default="4", pattern=r"^([1-9]|1\d|2[0-4])$", hint="1–24"),
        Setting("backup_keep", "保留备份份数", default="7", pattern=r"^([1-9]|[1-9]\d)$",
                hint="1–99：定时备份文件夹中只保留最近几份，更早的自动删除"),
    )
}


def get_all(db: Database) -> dict[str, Any]:
    stored = {r["key"]: r["value"] for r in db.query("SELECT key, value FROM settings")}
    return {k: _decode(s, stored[k]) if k in stored else s.default for k, s in SETTINGS.items()}


def get(db: Database, key: str) -> Any:
    return get_all(db)[key]


def set_value(db: Database, key: str, value: Any) -> None:
    """Check and store one setting; a bad value raises ValidationError naming the setting."""
    spec = SETTINGS.get(key)
    if spec is None:
        raise ValidationError(f"没有名为“{key}”的设置项，可用：{'、'.join(SETTINGS)}", field=key)
    if spec.kind == "json" and isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValidationError(f"{spec.title}：应为JSON", field=key) from None
    if spec.kind == "str":
        value = str(value).strip()
        if value and spec.pattern and not re.match(spec.pattern, value):
            raise ValidationError(f"{spec.title}：“{value}”格式不对，{spec.hint}", field=key)
    encoded = json.dumps(value, ensure_ascii=False) if spec.kind == "json" else value
    with db.atomic():
        db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                   [key, encoded])


def _decode(spec: Setting, raw: str) -> Any:
    return json.loads(raw) if spec.kind == "json" else raw


def require_numbering(values: dict[str, Any]) -> None:
    """Case numbers need the county code and the window code; say how to set them if missing."""
    for key in ("county_code", "window_code"):
        if not values.get(key):
            spec = SETTINGS[key]
            raise ValidationError(
                f"尚未设置{spec.title}（{spec.hint}）：请在工作台“设置”中填写，或运行 "
                f"python -m desktop settings set {key} 值",
                field=key,
            )
