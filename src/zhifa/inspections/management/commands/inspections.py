"""``zhifa inspections verify-draw PLAN``: re-run a plan's recorded random draw
from its frozen libraries, commitment and public random value, and say whether
it matches what was recorded (exit 0) or not (exit 1).
``zhifa inspections verify-draw --material FILE`` does the same from the
material published at ``/api/v1/inspection-draws/{id}/material/`` (public,
without names) or, for the agency and its supervisor, the full material of
``/api/v1/inspection-plans/{id}/material/``, without the database. See
``zhifa.inspections.draw`` for the derivation and ``zhifa.inspections.verify``
for the two forms."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhifa.inspections.models import Plan
from zhifa.inspections.verify import plan_verify, verify_material


class Command(BaseCommand):
    help = "双随机抽查：verify-draw 按记录的输入重新抽取并核对结果。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify-draw", help="重新抽取并核对抽查计划的抽取结果")
        verify.add_argument("plan", type=int, nargs="?", help="抽查计划 ID")
        verify.add_argument(
            "--material",
            help="从公开接口（或本机关、司法局从完整材料接口）下载的抽取核验材料"
            "（JSON 文件），不读数据库而据此核验",
        )

    def handle(self, *args, **options):
        if options["material"]:
            try:
                data = json.loads(Path(options["material"]).read_text(encoding="utf-8"))
                checks = verify_material(data)
            except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
                raise CommandError(f"无法读取抽取核验材料：{exc}") from None
            self._report(checks, f"核验材料（抽查计划 {data.get('plan')}）")
            return
        if options["plan"] is None:
            raise CommandError("请指定抽查计划 ID，或用 --material 指定核验材料文件。")
        plan = Plan.objects.select_related("matter").filter(pk=options["plan"]).first()
        if plan is None:
            raise CommandError(f"抽查计划 {options['plan']} 不存在。")
        self._report(plan_verify(plan), f"抽查计划 {plan.pk}（{plan.name}）")

    def _report(self, checks, subject: str) -> None:
        for check in checks:
            mark = "未核验" if check.unchecked else "一致" if check.ok else "不一致"
            self.stdout.write(f"[{mark}] {check.label} {check.detail}".rstrip())
        if all(c.ok for c in checks):
            unchecked = sum(c.unchecked for c in checks)
            note = f"；{unchecked} 项未核验，见上" if unchecked else ""
            self.stdout.write(f"{subject}：抽取结果一致（MATCH）{note}。")
            return
        raise CommandError(f"{subject}：抽取结果不一致（MISMATCH）。")
