"""``zhifa casefile package CASE_ID --out DIR --as USERNAME``: write the
offline-verifiable BagIt package of an archived case file (see
``zhifa.casefiles.package``); check it with ``zhifa verify-package``."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhifa.casefiles.package import casefile_package
from zhifa.cases.models import Case
from zhifa.core.errors import Conflict, Forbidden, InvalidInput, NotFound


class Command(BaseCommand):
    help = "案卷操作：package 导出可离线验证的案卷包（BagIt）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        package = sub.add_parser("package", help="导出已归档案卷的 BagIt 案卷包")
        package.add_argument("case_id", type=int, help="案件 ID")
        package.add_argument("--out", required=True, help="存放案卷包的目录")
        package.add_argument("--as", dest="username", required=True, help="以哪个用户的身份导出")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户“{options['username']}”不存在。")
        case = Case.objects.filter(pk=options["case_id"]).first()
        if case is None:
            raise CommandError(f"案件 {options['case_id']} 不存在。")
        try:
            path = casefile_package(actor=user, case=case, dest_dir=options["out"])
        except (Conflict, Forbidden, InvalidInput, NotFound) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(path))
