"""``zhifa verify``: the full check of the tamper-evident ledger (REC-11, REC-12).

It walks the hash chain, checks every signed checkpoint against the entries and
its copy outside the database, and re-hashes every stored evidence file. The
run is recorded (a ``VerificationRun`` and a ``ledger.verify`` entry) unless
``--no-record`` is given. Exit status 0 when nothing is found, 1 otherwise, so
that cron or a monitoring system can act on it; ``--json`` prints one document
on stdout and nothing else there.

``--case NUMBER`` checks one case instead: the chain, an inclusion proof of
each of the case's entries against the latest signed checkpoint, the case's
rows and every file its entries name. It is not recorded as a full run.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from zhifa.ledger.selectors import FINDING_KINDS, AuditResult, Finding, ledger_audit
from zhifa.ledger.services import verification_run

PHASES = {"chain": "哈希链", "checkpoints": "签名检查点", "files": "存证文件"}
UNITS = {"chain": "条", "checkpoints": "个", "files": "个"}
_BAR_WIDTH = 30


def _plain(text: str) -> str:
    return text


class Progress:
    """Progress on stderr: a bar redrawn in place when stderr is a terminal, one
    line per phase otherwise (a log file should not fill with redraws)."""

    def __init__(self, stderr, *, quiet: bool) -> None:
        self.stderr = stderr
        self.tty = stderr.isatty()
        self.quiet = quiet and not self.tty
        self.phase: str | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.quiet:
            return
        label, unit = PHASES[phase], UNITS[phase]
        if phase != self.phase:
            self._end_bar()
            self.phase = phase
            if not self.tty:
                self._write(f"校验{label}：共 {total} {unit}……\n")
        if self.tty and phase != "checkpoints":
            filled = _BAR_WIDTH * done // total if total else _BAR_WIDTH
            bar = "#" * filled + "." * (_BAR_WIDTH - filled)
            self._write(f"\r校验{label} [{bar}] {done}/{total}")
        elif self.tty and done == 0:
            # The checkpoint audit is one call and has no steps to show.
            self._write(f"校验{label}：共 {total} {unit}……")

    def finish(self) -> None:
        if not self.quiet:
            self._end_bar()

    def _end_bar(self) -> None:
        if self.tty and self.phase is not None:
            self._write("\n")
        self.phase = None

    def _write(self, text: str) -> None:
        # Without the default error style: progress is not an error.
        self.stderr.write(text, style_func=_plain, ending="")
        self.stderr.flush()


class Command(BaseCommand):
    help = (
        "完整校验防删改台账：哈希链、全部签名检查点及其库外副本、全部存证文件。"
        "默认记录本次校验；发现问题时退出码为 1。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="在标准输出打印一份 JSON 结果，不打印说明文字",
        )
        parser.add_argument("--no-record", action="store_true", help="只校验和打印，不记录本次校验")
        parser.add_argument(
            "--case",
            metavar="案件编号",
            help="只校验一个案件：其台账记录对最新检查点的包含证明、其数据行和其全部文件",
        )
        parser.add_argument(
            "--agency",
            metavar="执法主体",
            help="与 --case 同用：执法主体的名称或统一社会信用代码（案件编号按主体编排，可能重复）",
        )

    def handle(self, *args, as_json: bool = False, no_record: bool = False, **options):
        progress = Progress(self.stderr, quiet=as_json)
        if options.get("case"):
            from zhifa.cases.audit import case_audit

            case = _case(options["case"], options.get("agency"))
            result = case_audit(case, progress=progress)
            run = None
        elif no_record:
            result = ledger_audit(progress=progress)
            run = None
        else:
            run = verification_run(actor=None, trigger="command", progress=progress)
            result = AuditResult(
                started_at=run.started_at,
                finished_at=run.finished_at,
                entries=run.entries,
                checkpoints=run.checkpoints,
                files=run.files,
                findings=[Finding(**finding) for finding in run.findings],
            )
        progress.finish()
        if as_json:
            self.stdout.write(_json_document(result))
        else:
            self._summary(result, recorded=run is not None, case=options.get("case"))
        if not result.ok:
            # Not a CommandError: that would print a traceback-like message on
            # stderr, and the findings have already been reported in full.
            raise SystemExit(1)

    def _summary(self, result: AuditResult, *, recorded: bool, case: str | None = None) -> None:
        checked = (
            f"共 {result.entries} 条台账记录、{result.checkpoints} 个签名检查点、"
            f"{result.files} 个存证文件"
        )
        if case:
            checked = f"案件 {case} 的 {result.entries} 条台账记录、{result.files} 个文件"
        if result.ok:
            self.stdout.write(f"台账完整：{checked}；哈希链无断点，检查点全部相符，存证文件无损。")
        else:
            self.stdout.write(f"台账校验发现 {len(result.findings)} 处问题（已检查{checked}）：")
            for number, finding in enumerate(result.findings, start=1):
                self.stdout.write(f"{number}. {_describe(finding)}")
        if recorded:
            self.stdout.write("本次校验已记入台账。")


def _describe(finding: Finding) -> str:
    lines = [f"［{FINDING_KINDS.get(finding.kind, finding.kind)}］{finding.message}"]
    if finding.path and finding.path not in finding.message:
        lines.append(f"   位置：{finding.path}")
    if finding.expected or finding.found:
        lines.append(f"   应为：{finding.expected or '（无）'}")
        lines.append(f"   实为：{finding.found or '（无）'}")
    if finding.actor and finding.actor not in finding.message:
        lines.append(f"   最后一次合法变更：{finding.actor}")
    return "\n".join(lines)


def _json_document(result: AuditResult) -> str:
    document = {
        "ok": result.ok,
        "entries": result.entries,
        "checkpoints": result.checkpoints,
        "files": result.files,
        "findings": [
            {
                key: finding.as_dict()[key]
                for key in (
                    "kind",
                    "object",
                    "path",
                    "chunk",
                    "expected",
                    "found",
                    "actor",
                    "message",
                )
            }
            for finding in result.findings
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _case(number: str, agency: str | None):
    from zhifa.cases.models import Case

    cases = Case.objects.filter(number=number.strip()).select_related("agency")
    if agency:
        agency = agency.strip()
        cases = cases.filter(Q(agency__credit_code=agency) | Q(agency__name=agency))
    found = list(cases[:10])
    if not found:
        raise CommandError(f"没有编号为 {number} 的案件。")
    if len(found) > 1:
        names = "、".join(c.agency.name for c in found)
        raise CommandError(f"案件编号 {number} 在多个执法主体下重复：{names}；请用 --agency 指明。")
    return found[0]
