"""``zhifa createsuperuser``: the first system administrator, through the ledger.

Django's own command writes the user row directly; here the administrator is
created by :func:`zhifa.accounts.services.sysadmin_create`, so the account is
checked (password rules, unique name) and the creation is a ledger entry like
every other write. Only the first administrator can be made this way; later
ones are created by an administrator in the workbench.
"""

from __future__ import annotations

import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from zhifa.accounts import services
from zhifa.core.errors import ZhifaError


class Command(BaseCommand):
    help = (
        "创建第一个系统管理员（记入防删改台账）。"
        "密码从交互输入或环境变量 ZHIFA_ADMIN_PASSWORD 读取。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", help="用户名")
        parser.add_argument("--name", default="系统管理员", help="姓名")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="不提问；用户名取自 --username，密码取自环境变量 ZHIFA_ADMIN_PASSWORD",
        )

    def handle(self, *args, username=None, name="系统管理员", interactive=True, **options):
        password = os.environ.get("ZHIFA_ADMIN_PASSWORD", "")
        if interactive:
            username = username or input("用户名：").strip()
            if not password:
                password = getpass.getpass("密码：")
                if getpass.getpass("再次输入密码：") != password:
                    raise CommandError("两次输入的密码不一致。")
        if not username:
            raise CommandError("请用 --username 给出用户名。")
        if not password:
            raise CommandError("请设置环境变量 ZHIFA_ADMIN_PASSWORD 作为密码。")
        try:
            user = services.sysadmin_create(
                actor=None, username=username, password=password, name=name
            )
        except ZhifaError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已创建系统管理员 {user.username}。")
