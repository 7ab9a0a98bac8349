"""``zhifa matters import|export``: the 执法事项清单 (PUB-02) as an .xlsx file,
for loading many agencies' lists at go-live. It acts as a named system
administrator so that every change is in the ledger under a person."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhifa.accounts.models import Agency
from zhifa.accounts.selectors import agency_list
from zhifa.accounts.services import require_sysadmin
from zhifa.catalogues.selectors import matter_list
from zhifa.catalogues.services import (
    MATTER_SHEET_HEADERS,
    MATTER_SHEET_TITLE,
    matter_import,
    matter_rows,
)
from zhifa.core.errors import ZhifaError
from zhifa.core.excel import workbook_bytes


class Command(BaseCommand):
    help = "执法事项清单：import 从 .xlsx 导入，export 导出为 .xlsx（与导入格式相同）。"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,export}")
        for name, text in (
            ("import", "从 .xlsx 文件导入（逐行校验，有误则全部不导入）"),
            ("export", "导出为 .xlsx 文件"),
        ):
            action = actions.add_parser(name, help=text)
            action.add_argument("--agency", type=int, required=True, help="执法主体 ID")
            action.add_argument(
                "--as", dest="username", required=True, help="以该系统管理员的身份操作（记入台账）"
            )
            action.add_argument("file", type=Path, help=".xlsx 文件路径")

    def handle(self, *args, action, agency, username, file, **options):
        actor = self._sysadmin(username)
        try:
            target = agency_list(actor=actor).get(pk=agency)
        except Agency.DoesNotExist:
            raise CommandError(f"没有 ID 为 {agency} 的执法主体。") from None
        if action == "import":
            self._import(actor, target, file)
        else:
            self._export(actor, target, file)

    def _sysadmin(self, username: str):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的在用账号。")
        try:
            require_sysadmin(user)
        except ZhifaError as exc:
            raise CommandError(f"{username}：{exc.message}") from None
        return user

    def _import(self, actor, agency: Agency, file: Path) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror}") from None
        try:
            result = matter_import(actor=actor, agency=agency, data=data, filename=file.name)
        except ZhifaError as exc:
            lines = [exc.message] + [
                f"  第 {d['row']} 行 [{d['column']}]：{d['message']}" for d in exc.details
            ]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            f"已导入{agency.name}的执法事项：新增 {result.created} 条，"
            f"更新 {result.updated} 条，未变 {result.unchanged} 条。"
        )

    def _export(self, actor, agency: Agency, file: Path) -> None:
        matters = matter_list(actor=actor).filter(agency=agency).order_by("code")
        data = workbook_bytes(
            title=MATTER_SHEET_TITLE,
            headers=MATTER_SHEET_HEADERS,
            rows=matter_rows(matters.iterator()),
        )
        try:
            file.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"无法写入文件 {file}：{exc.strerror}") from None
        self.stdout.write(f"已导出{agency.name}的 {matters.count()} 条执法事项到 {file}。")
