"""``zhifa redact``: redact text on stdin to stdout (PUB-06), so an agency can
check a text before it goes to publication."""

import sys

from django.core.management.base import BaseCommand

from zhifa.disclosures.redaction import LABELS, redact


class Command(BaseCommand):
    help = "从标准输入读取文本，隐去身份证号、电话、银行账号、自然人住址和姓名后写到标准输出。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--name", action="append", default=[], help="须隐去的自然人姓名（可重复）"
        )
        parser.add_argument(
            "--address", action="append", default=[], help="须隐去的自然人住址（可重复）"
        )
        parser.add_argument(
            "--keep", action="append", default=[], help="须保留的机关名称或公开电话（可重复）"
        )
        parser.add_argument("--summary", action="store_true", help="在标准错误输出隐去的项目数")

    def handle(self, *args, name, address, keep, summary, **options):
        result = redact(sys.stdin.read(), names=name, addresses=address, keep=keep)
        sys.stdout.write(result.text)
        sys.stdout.flush()
        if summary:
            counts: dict[str, int] = {}
            for _, _, kind in result.marks:
                counts[kind] = counts.get(kind, 0) + 1
            parts = [f"{LABELS[k]} {n} 处" for k, n in sorted(counts.items())]
            sys.stderr.write("隐去：" + ("、".join(parts) or "无") + "\n")
