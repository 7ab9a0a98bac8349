"""``zhifa verify-package PATH [--key VKEY] [--json]``: check a case-file
package offline (``zhifa.ledger.package_verify``). Touches no database. Exit
status 0 when nothing is found, 1 otherwise."""

import json
import logging
import sys

from django.core.management.base import BaseCommand

from zhifa.ledger.package_verify import verify_package


class Command(BaseCommand):
    help = "离线验证案卷包（BagIt 清单、台账记录、包含证明、签名检查点、四性检测报告）。"
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("path", help="案卷包目录")
        parser.add_argument(
            "--key",
            action="append",
            default=[],
            help="受信的验证公钥（name+hash+base64）；可多次给出。不给时用包内公钥。",
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        logging.getLogger("bagit").setLevel(logging.WARNING)  # no line per file checked
        problems = verify_package(options["path"], trusted_keys=options["key"])
        if options["json"]:
            body = {"ok": not problems, "problems": [p.as_dict() for p in problems]}
            self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
        elif problems:
            for p in problems:
                self.stdout.write(f"✗ {p.message}")
            self.stdout.write(f"案卷包验证未通过：发现 {len(problems)} 个问题。")
        else:
            self.stdout.write("案卷包验证通过。")
        sys.exit(1 if problems else 0)
