from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from zhifa.core import demo


class Command(BaseCommand):
    help = "建立演示县“示范县”：司法局、八个以上执法主体、人员与证件、执法事项。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="规模倍数：每个机关的人员数按此倍增（默认 1，约 190 人）",
        )
        parser.add_argument("--seed", type=int, default=2026, help="随机种子，相同种子结果相同")
        parser.add_argument(
            "--reset", action="store_true", help="清空整个数据库（包括台账）后重建演示数据"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="仅当数据库为空时建立（make run 使用）"
        )
        parser.add_argument("--noinput", action="store_true", help="--reset 时不再确认")
        parser.add_argument(
            "--no-cases", action="store_true", help="只建机关、人员和清单，不建执法案件（较快）"
        )
        parser.add_argument(
            "--decisions",
            type=int,
            default=0,
            metavar="N",
            help="另外批量生成 N 件已公示的执法决定（测量公示平台检索和负载用，如 1000000；"
            "示范县已存在时只追加这些决定）",
        )

    def handle(self, *args, scale, seed, reset, if_empty, noinput, no_cases, decisions, **options):
        if scale < 1:
            raise CommandError("--scale 必须是正整数。")
        if decisions < 0:
            raise CommandError("--decisions 不能为负数。")
        if decisions and not reset and demo.demo_exists():
            self._decisions(decisions, seed)
            return
        if reset:
            if not noinput:
                answer = input("将清空整个数据库（包括防删改台账）并重建演示数据，输入 yes 确认：")
                if answer.strip() != "yes":
                    raise CommandError("已取消。")
            call_command("flush", interactive=False, verbosity=0)
        elif demo.demo_exists():
            self.stdout.write("示范县演示数据已存在，未做改动（--reset 可重建）。")
            self._print_logins()
            return
        elif not demo.database_empty():
            if if_empty:
                self.stdout.write("数据库中已有数据，跳过演示数据。")
                return
            raise CommandError(
                "数据库中已有其他数据，演示数据只能建立在空数据库上（或使用 --reset）。"
            )
        self.stdout.write(
            "正在建立示范县演示数据……"
            if no_cases
            else "正在建立示范县演示数据（含执法案件，约需一分钟）……"
        )
        report = demo.demo_build(
            scale=scale, seed=seed, cases=not no_cases, progress=self.stdout.write
        )
        labels = {"valid": "有效", "expired": "过期", "suspended": "暂扣", "revoked": "注销"}
        credentials = "，".join(f"{labels[k]} {v}" for k, v in sorted(report.credentials.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：执法主体 {report.agencies} 个，人员 {report.officers} 人，"
                f"执法证件（{credentials}），执法事项 {report.matters} 项，"
                f"执法案件 {report.cases} 件。"
            )
        )
        if decisions:
            self._decisions(decisions, seed)
        self._print_logins()

    def _decisions(self, n, seed):
        import time

        from zhifa.disclosures.scale import decisions_generate

        self.stdout.write(f"正在批量生成 {n} 件已公示的执法决定……")
        started = time.monotonic()
        step = max(n // 20, 1)

        def progress(done):
            if done % step < 2000 or done == n:
                self.stdout.write(f"  {done}/{n}（{time.monotonic() - started:.0f} 秒）")

        decisions_generate(n=n, seed=seed, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：{n} 件已公示的执法决定，用时 {time.monotonic() - started:.0f} 秒。"
            )
        )

    def _print_logins(self):
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for login in demo.DEMO_LOGINS:
            self.stdout.write(f"  {login['role']:<10} {login['username']:<14} {login['where']}")
