from django.core.management.base import BaseCommand, CommandError

from zhifa.ledger.selectors import ledger_verify


class Command(BaseCommand):
    help = "防删改台账：verify 校验整条哈希链。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        report = ledger_verify()
        if not report.ok:
            raise CommandError(
                f"台账校验失败：第 {report.first_bad_seq} 条，{report.reason}"
                f"（已检查 {report.entries} 条）"
            )
        self.stdout.write(f"台账完整：共 {report.entries} 条记录，哈希链无断点。")
