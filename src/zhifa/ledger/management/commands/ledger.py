import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhifa.ledger.selectors import checkpoint_audit, ledger_verify
from zhifa.ledger.services import checkpoint_issue
from zhifa.ledger.signing import ledger_signer


class Command(BaseCommand):
    help = (
        "防删改台账：verify 校验哈希链与全部签名检查点；checkpoint 签发检查点"
        "（--watch 持续运行，有新记录时按间隔签发）；public-key 显示验签公钥。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint", "public-key"])
        parser.add_argument("--watch", action="store_true", help="持续签发检查点")
        parser.add_argument("--rounds", type=int, default=0, help="--watch 的轮数（0 为不限）")

    def handle(self, *args, action, watch, rounds, **options):
        if action == "public-key":
            self.stdout.write(ledger_signer().verifier_key())
        elif action == "checkpoint":
            self._checkpoint(watch=watch, rounds=rounds)
        else:
            self._verify()

    def _checkpoint(self, *, watch: bool, rounds: int) -> None:
        done = 0
        while True:
            checkpoint = checkpoint_issue()
            if checkpoint is None:
                if not watch:  # a watcher stays quiet while nothing happens
                    self.stdout.write("自上一检查点以来没有新记录，未签发。")
            else:
                self.stdout.write(f"已签发检查点：{checkpoint.size} 条，根 {checkpoint.root}")
            done += 1
            if not watch or (rounds and done >= rounds):
                return
            time.sleep(settings.ZHIFA_CHECKPOINT_INTERVAL_SECONDS)

    def _verify(self) -> None:
        report = ledger_verify()
        problems = []
        if not report.ok:
            problems.append(f"第 {report.first_bad_seq} 条：{report.reason}")
        problems += [finding.message for finding in checkpoint_audit()]
        if problems:
            raise CommandError(
                f"台账校验失败（已检查 {report.entries} 条）：\n" + "\n".join(problems)
            )
        self.stdout.write(f"台账完整：共 {report.entries} 条记录，哈希链无断点，检查点全部相符。")
