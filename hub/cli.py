"""The hub's command line: serve the API, enroll and revoke devices, inject department statuses.

Bad input prints one Chinese line on stderr and exits 1; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

from desktop.domain.errors import DeskError, run_command_line
from hub import config as config_mod

DEFAULT_PORT = 8760


def listening_socket(host: str, port: int, *, windows: bool = os.name == "nt") -> socket.socket:
    """A bound TCP socket that no second hub can share. On Windows SO_REUSEADDR would let another process bind
    the same port silently and split the requests between two hubs: there the port is taken exclusively
    (SO_EXCLUSIVEADDRUSE). Elsewhere SO_REUSEADDR only allows a restart over TIME_WAIT connections."""
    # proto=IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when the listening
    # socket says TCP; with proto 0 every answer waited ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    if windows:
        sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_EXCLUSIVEADDRUSE", ~socket.SO_REUSEADDR), 1)
    else:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise HubCliError(f"无法监听 {host}:{port}（{exc.strerror}；是否已有一个汇聚服务器在运行？）") from None
    return sock


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from hub import logs
    from hub.app import create_app

    cfg = _private(config_mod.resolve(args.data_dir, args.db))
    logs.setup(cfg.log_dir)
    app = create_app(cfg)
    sock = listening_socket(args.host, args.port)
    port = sock.getsockname()[1]
    # The first stdout line says where we listen (with --port 0 the OS picked the port).
    print(f"县级汇聚服务器已启动：http://{args.host}:{port}  数据目录 {cfg.data_dir}  "
          f"数据库 {config_mod.redact_url(cfg.db_url)}", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, timeout_keep_alive=30))
    server.run(sockets=[sock])
    return 0


def _engine(args: argparse.Namespace):
    from hub import db, tokens

    cfg = _private(config_mod.resolve(args.data_dir, args.db))
    engine = db.open_engine(cfg.db_url)
    tokens.watch(engine, cfg.data_dir)  # a revoke here reaches the serving hub's token cache (hub/tokens.py)
    return cfg, engine


def _private(cfg):
    """The hub's data dir 0700 and its SQLite file 0600 when they are first made (PostgreSQL keeps its own)."""
    from desktop.protocol import files

    files.private_dir(cfg.data_dir)
    path = Path(cfg.db_url.removeprefix("sqlite:///"))
    if cfg.db_url.startswith("sqlite:///") and path.parent.is_dir():
        files.private_file(path)
    return cfg


def cmd_device(args: argparse.Namespace) -> int:
    from hub import devices

    cfg, engine = _engine(args)
    try:
        if args.action == "add":
            code = devices.add(engine, _need(args.name, "设备名称"), args.office, cfg.code_ttl_hours)
            print(f"设备“{args.name.strip()}”的一次性登记码：{code}（{cfg.code_ttl_hours}小时内有效，只能使用一次）")
            print(f"在该设备上运行：python -m desktop hub connect 服务器地址 {code}")
        elif args.action == "revoke":
            devices.revoke(engine, _need(args.name, "设备名称"))
            print(f"已撤销设备“{args.name}”：其令牌立即失效")
        else:
            _list(devices.summary(engine, None), args.json)
    except devices.DeviceError as exc:
        raise HubCliError(str(exc)) from None
    finally:
        engine.dispose()
    return 0


def cmd_supervisor(args: argparse.Namespace) -> int:
    from hub import supervisors

    _cfg, engine = _engine(args)
    try:
        if args.action == "add":
            secret = supervisors.add(engine, _need(args.name, "负责人用户名"), args.office)
            print(f"负责人“{args.name.strip()}”在县级服务器上的凭据：{secret}（只显示这一次，请当面交给本人）")
            print("导出含完整身份证号的全办理点台账时，工作台会要求输入它")
        elif args.action == "disable":
            supervisors.disable(engine, _need(args.name, "负责人用户名"))
            print(f"已停用负责人“{args.name}”：其凭据立即失效")
        else:
            rows = supervisors.listed(engine)
            print(json.dumps(rows, ensure_ascii=False, indent=2) if args.json else "\n".join(
                [f"{r['name']}  {r['office']}  {'已停用' if r['disabled_at'] else '在用'}" for r in rows]
                + [f"共 {len(rows)} 名负责人"]))
    except supervisors.SupervisorError as exc:
        raise HubCliError(str(exc)) from None
    finally:
        engine.dispose()
    return 0


def _list(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        state = "已撤销" if r["revoked"] else ("待登记" if not r["enrolled_at"] else "在用")
        refused = f"  审计记录异常：{r['audit_refused']['message']}" if r["audit_refused"] else ""
        print(f"{r['device']}  {r['office']}  {state}  已收案件 {r['cases_received']}  "
              f"最近联系 {r['last_seen_at'] or '—'}  本机待传 {r['pending_reported'] if r['pending_reported'] is not None else '—'}"
              f"  审计记录至第 {r['audit_last_id']} 条{refused}")
    print(f"共 {len(rows)} 台设备")


def cmd_status(args: argparse.Namespace) -> int:
    from hub import cases

    _cfg, engine = _engine(args)
    try:
        entry = cases.set_status(engine, args.number, args.state, item=args.item or "", note=args.note or "",
                                 department=args.department or "")
    except cases.CaseError as exc:
        raise HubCliError(exc.message) from None
    finally:
        engine.dispose()
    print(json.dumps(entry, ensure_ascii=False) if args.json else
          f"已发布：案件 {entry['number']} → {entry['state']}（变更号 {entry['id']}），设备下次同步时收到")
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    from hub import cases, catalogs

    if args.action == "keygen":
        return _keygen(args)
    cfg, engine = _engine(args)
    try:
        if args.action == "announce":
            entry = cases.announce_catalog(engine, _need(args.target, "版本号"), args.note or "")
            print(f"已发布目录更新通知 {entry['version']}（变更号 {entry['id']}）")
            return 0
        key = Path(args.key) if args.key else cfg.data_dir / catalogs.PRIVATE_NAME
        meta = catalogs.publish(engine, key, Path(_need(args.target, "目录文件")), _need(args.note, "--note 说明"),
                                _need(args.effective, "--effective 生效日期"), catalogs.public_key(cfg.data_dir))
    except catalogs.CatalogError as exc:
        raise HubCliError(exc.message) from None
    finally:
        engine.dispose()
    print(json.dumps(meta, ensure_ascii=False) if args.json else
          f"已发布目录 {meta['version']}（{meta['hash'][:12]}），{meta['effective']} 起生效；设备下次同步时收到")
    return 0


def _keygen(args: argparse.Namespace) -> int:
    from hub import catalogs

    cfg = _private(config_mod.resolve(args.data_dir, args.db))
    private = Path(args.key) if args.key else cfg.data_dir / catalogs.PRIVATE_NAME
    try:
        public = catalogs.keygen(private, private.with_suffix(".pub"))
    except catalogs.CatalogError as exc:
        raise HubCliError(exc.message) from None
    print(f"已生成目录签名密钥：私钥 {private}（只留在本机，勿外传），公钥 {private.with_suffix('.pub')}\n"
          f"公钥（设备登记时自动保存）：{public}")
    return 0


def cmd_ratings(args: argparse.Namespace) -> int:
    """The county's 好差评 totals per office, clerk and service (or one office's) for rated days FROM..TO."""
    import datetime as dt

    from desktop.domain import feedback
    from hub import ratings

    try:
        start, end = dt.date.fromisoformat(_need(args.date_from, "--from")), dt.date.fromisoformat(args.date_to or args.date_from)
    except ValueError:
        raise HubCliError("日期格式不对，应为 YYYY-MM-DD") from None
    _cfg, engine = _engine(args)
    try:
        rows = ratings.totals(engine, start, end, office=args.office)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for r in rows:
        count, bad = sum(r["levels"].values()), sum(r["levels"][k] for k in feedback.BAD)
        print(f"{r['office']}  {r['clerk'] or '—'}  一件事{r['service']}  评价 {count}  差评 {bad}  "
              f"已整改 {r['rectified']}  待整改 {r['open']}（超期 {r['overdue']}）")
    print(f"共 {sum(sum(r['levels'].values()) for r in rows)} 条评价")
    return 0


class HubCliError(DeskError):
    """Bad input or environment: one Chinese line, exit 1."""


def _need(value: str | None, what: str) -> str:
    if not value or not value.strip():
        raise HubCliError(f"缺少{what}")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        print(f"错误：命令参数不对（{message}）。用 {self.prog} --help 查看用法。", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help=f"数据目录（环境变量 {config_mod.ENV_DATA_DIR}；默认 Windows 为 %%PROGRAMDATA%%\\yijianshi-hub）")
    common.add_argument("--db", help="数据库URL，如 postgresql://user:pass@host/db（默认：数据目录中的SQLite）")
    common.add_argument("--json", action="store_true", help="以JSON输出")
    parser = _Parser(prog="python -m hub", description="一件事帮代办 县级汇聚服务器")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", parents=[common], help="启动服务")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（局域网内服务用 0.0.0.0）")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"端口（默认 {DEFAULT_PORT}；0 表示任选空闲端口）")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("device", parents=[common], help="设备登记")
    p.add_argument("action", choices=["add", "revoke", "list"])
    p.add_argument("name", nargs="?")
    p.add_argument("--office", help="所属办理点（新设备必填）")
    p.set_defaults(func=cmd_device)
    p = sub.add_parser("supervisor", parents=[common], help="负责人凭据（导出完整身份证号用）")
    p.add_argument("action", choices=["add", "disable", "list"])
    p.add_argument("name", nargs="?")
    p.add_argument("--office", help="所属办理点（add 必填）")
    p.set_defaults(func=cmd_supervisor)
    p = sub.add_parser("status", parents=[common], help="发布部门办理状态（测试与演示）")
    p.add_argument("action", choices=["set"])
    p.add_argument("number", help="案件编号")
    p.add_argument("state", help="已提交、办理中（已办理）、公示中（--note 写公示地点）、已办结、已终止，或英文 in_progress 等")
    p.add_argument("--item", help="只针对某个事项（事项编码或key）")
    p.add_argument("--note")
    p.add_argument("--department")
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("ratings", parents=[common], help="好差评与整改合计（全县或一个办理点）")
    p.add_argument("--from", dest="date_from", help="评价日期起 YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", help="评价日期止（默认同 --from）")
    p.add_argument("--office", help="只看一个办理点（默认全县）")
    p.set_defaults(func=cmd_ratings)
    p = sub.add_parser("catalog", parents=[common], help="目录：生成签名密钥、发布目录（设备同步时取用）")
    p.add_argument("action", choices=["keygen", "publish", "announce"])
    p.add_argument("target", nargs="?", help="publish：目录文件（catalog build --out 生成）；announce：版本号")
    p.add_argument("--note", help="publish：本次变更说明")
    p.add_argument("--effective", help="publish：生效日期 YYYY-MM-DD")
    p.add_argument("--key", help="签名私钥文件（默认：数据目录中的 catalog-signing.key）")
    p.set_defaults(func=cmd_catalog)
    return parser


def main(argv: list[str] | None = None) -> int:
    return run_command_line(build_parser(), argv, lambda args: args.func(args), _bug)


def _bug(_args, exc: Exception) -> str:
    """A bug or an unreachable database: one line, no traceback (it could hold values)."""
    return f"错误：{type(exc).__name__}（{_safe(exc)}）"


def _safe(exc: Exception) -> str:
    from sqlalchemy.exc import OperationalError

    if isinstance(exc, OperationalError):
        return "无法连接或打开数据库，请检查 --db 与数据目录"
    return "内部错误"
