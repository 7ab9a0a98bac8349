import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhifa.ledger.selectors import ledger_audit
from zhifa.ledger.services import checkpoint_issue, file_store
from zhifa.ledger.signing import ledger_signers


class Command(BaseCommand):
    help = (
        "防删改台账：verify 校验哈希链与全部签名检查点；checkpoint 签发检查点"
        "（--watch 持续运行，有新记录时按间隔签发）；public-key 显示验签公钥；"
        "store FILE --as 用户名 将文件存入证据库。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint", "public-key", "store"])
        parser.add_argument("file", nargs="?", help="store：要存证的文件")
        parser.add_argument("--as", dest="username", help="store：以此用户的名义存证")
        parser.add_argument("--watch", action="store_true", help="持续签发检查点")
        parser.add_argument("--rounds", type=int, default=0, help="--watch 的轮数（0 为不限）")

    def handle(self, *args, action, watch, rounds, file=None, username=None, **options):
        if action == "store":
            self._store(file, username)
        elif action == "public-key":
            # The Ed25519 key first; the SM2 co-signing key after it, where on.
            for signer in ledger_signers():
                self.stdout.write(signer.verifier_key())
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
        # The same check as ``zhifa verify``, kept here for scripts written
        # against it; it does not record a run (``zhifa verify`` does).
        result = ledger_audit()
        if not result.ok:
            raise CommandError(
                f"台账校验失败（已检查 {result.entries} 条）：\n"
                + "\n".join(finding.message for finding in result.findings)
            )
        self.stdout.write(f"台账完整：共 {result.entries} 条记录，哈希链无断点，检查点全部相符。")

    def _store(self, file: str | None, username: str | None) -> None:
        import mimetypes
        from pathlib import Path

        from django.contrib.auth import get_user_model

        from zhifa.core.errors import ZhifaError

        if not file or not username:
            raise CommandError("用法：zhifa ledger store 文件 --as 用户名")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在。")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件 {file} 不存在或不是普通文件。")
        with open(path, "rb") as stream:
            try:
                stored = file_store(
                    actor=user,
                    stream=stream,
                    original_name=path.name,
                    content_type=mimetypes.guess_type(path.name)[0] or "",
                )
            except ZhifaError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(
            f"已存证：{stored.original_name}，{stored.size} 字节，"
            f"SHA-256 {stored.sha256}，SM3 {stored.sm3}"
        )
