import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from zhifa.casefiles import services
from zhifa.casefiles.package import casefile_package
from zhifa.casefiles.testing import archive
from zhifa.cases.models import Stage
from zhifa.cases.testing import advance_to, open_case
from zhifa.core.errors import Conflict, NotFound
from zhifa.ledger.models import LedgerCheckpoint
from zhifa.ledger.note import Ed25519Signer
from zhifa.ledger.package_verify import verify_package
from zhifa.ledger.selectors import entries_for

pytestmark = [pytest.mark.django_db, pytest.mark.req("REC-10"), pytest.mark.req("REC-11")]


def _copy(bag: Path, tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(bag, tmp_path / name))


def _rebag_manifests(bag: Path) -> None:
    """Re-write the BagIt manifests after a tamper, as a forger would, so that only
    the ledger checks can catch it."""
    import bagit

    b = bagit.Bag(str(bag))
    b.save(manifests=True)


def _run_command(bag: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    data_dir = tmp_path / "empty-data"
    data_dir.mkdir(exist_ok=True)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "ZHIFA_"))
    }
    env["ZHIFA_DATA_DIR"] = str(data_dir)
    env["ZHIFA_SECRET_KEY"] = "x" * 50
    done = subprocess.run(
        [sys.executable, "-m", "zhifa", "verify_package", str(bag), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    # An empty data directory, never migrated: the command must not open the database.
    assert (
        not (data_dir / "zhifa.sqlite3").exists() or not (data_dir / "zhifa.sqlite3").stat().st_size
    )
    return done


def test_archived_case_file_packages_and_verifies_offline(team, build, county, tmp_path):
    case = archive(team, advance_to(team, open_case(team), Stage.CLOSED))
    case_file = case.case_file
    bag = casefile_package(actor=team.lead, case=case, dest_dir=tmp_path / "out")

    assert (bag / "bagit.txt").is_file()
    assert (bag / "manifest-sha256.txt").is_file() and (bag / "manifest-sha512.txt").is_file()
    data = bag / "data"
    catalogue = json.loads((data / "catalogue.json").read_text())
    assert {f["path"] for f in catalogue["files"]} == {
        p.relative_to(data / "files").as_posix() for p in (data / "files").rglob("*") if p.is_file()
    }
    assert f"{case.number}-案卷.pdf" in {f["path"] for f in catalogue["files"]}
    assert all(f["ledger_seq"] for f in catalogue["files"])
    report = json.loads((data / "report.json").read_text())
    assert [c["label"] for c in report["checks"]] == ["真实性", "完整性", "可用性", "安全性"]
    assert all(c["passed"] for c in report["checks"]), report["checks"]
    assert "四性检测" in (data / "report.txt").read_text()
    bound = next(f for f in report["files"] if f["path"].endswith("案卷.pdf"))
    assert bound["pages"] == case_file.pages

    # The export is recorded and covered by the signed checkpoint in the package.
    export = entries_for(case_file).filter(action="casefile.export").get()
    cp = LedgerCheckpoint.objects.order_by("-size").first()
    assert cp.size >= export.seq
    entries = json.loads((data / "ledger" / "entries.json").read_text())
    assert export.seq in {e["seq"] for e in entries["entries"]}
    assert (data / "ledger" / "checkpoint.note").read_text() == cp.note

    assert verify_package(bag) == []
    done = _run_command(bag, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "验证通过" in done.stdout
    vkey = (data / "ledger" / "verifier.vkey").read_text().strip()
    assert verify_package(bag, trusted_keys=[vkey]) == []

    # One byte of one file changed: the bag's manifests name it.
    flipped = _copy(bag, tmp_path, "flipped")
    victim = sorted((flipped / "data" / "files").rglob("*.png"))[0]
    rel = victim.relative_to(flipped).as_posix()
    body = bytearray(victim.read_bytes())
    body[len(body) // 2] ^= 0x01
    victim.write_bytes(bytes(body))
    problems = verify_package(flipped)
    assert problems and any(p.path == rel for p in problems)
    assert any(rel in p.message for p in problems)
    done = _run_command(flipped, tmp_path, "--json")
    assert done.returncode == 1
    assert rel in {p["path"] for p in json.loads(done.stdout)["problems"]}

    # Same, with the manifests re-written to match: the ledger entry still catches it.
    _rebag_manifests(flipped)
    problems = verify_package(flipped)
    assert {p.code for p in problems} >= {"ledger_digest"}
    assert any(p.path == rel and rel in p.message for p in problems)

    # A tampered checkpoint signature.
    forged = _copy(bag, tmp_path, "forged")
    note_path = forged / "data" / "ledger" / "checkpoint.note"
    text = note_path.read_text()
    # Our signature line is the first (a note may carry co-signatures by other keys).
    lines = text.split("\n")
    i = next(n for n, line in enumerate(lines) if line.startswith("\u2014 "))
    lines[i] = lines[i][:-10] + ("A" if lines[i][-10] != "A" else "B") + lines[i][-9:]
    text = "\n".join(lines)
    note_path.write_text(text)
    _rebag_manifests(forged)
    problems = verify_package(forged)
    assert [p.code for p in problems] == ["checkpoint_signature"]
    assert "checkpoint.note" in problems[0].message

    # A key the package was not signed with is not trusted.
    stranger = Ed25519Signer.generate("zhifa.local/ledger").verifier_key()
    assert [p.code for p in verify_package(bag, trusted_keys=[stranger])] == [
        "checkpoint_signature"
    ]

    # A tampered inclusion proof.
    bent = _copy(bag, tmp_path, "bent")
    entries_path = bent / "data" / "ledger" / "entries.json"
    doc = json.loads(entries_path.read_text())
    target = next(e for e in doc["entries"] if e["proof"])
    proof0 = target["proof"][0]
    target["proof"][0] = ("0" if proof0[0] != "0" else "1") + proof0[1:]
    entries_path.write_text(json.dumps(doc, ensure_ascii=False))
    _rebag_manifests(bent)
    problems = verify_package(bent)
    assert [p.code for p in problems] == ["inclusion_proof"]
    assert f"第 {target['seq']} 条" in problems[0].message

    # Someone in another agency may not package it.
    other = build.officer(county.safety).user
    with pytest.raises(NotFound):
        casefile_package(actor=other, case=case, dest_dir=tmp_path / "other")
    assert not (tmp_path / "other").exists()

    # The command does the same for the case's own officers.
    out = io.StringIO()
    call_command(
        "casefile",
        "package",
        str(case.pk),
        "--out",
        str(tmp_path / "cli"),
        "--as",
        team.lead.username,
        stdout=out,
    )
    assert verify_package(out.getvalue().strip()) == []
    assert entries_for(case_file).filter(action="casefile.export").count() == 2


def test_a_case_file_not_archived_is_not_packaged(team, tmp_path):
    case = advance_to(team, open_case(team), Stage.CLOSED)
    with pytest.raises(NotFound):
        casefile_package(actor=team.lead, case=case, dest_dir=tmp_path / "out")
    services.casefile_assemble(actor=team.lead, case=case)
    with pytest.raises(Conflict) as caught:
        casefile_package(actor=team.lead, case=case, dest_dir=tmp_path / "out")
    assert caught.value.code == "not_archived"
    with pytest.raises(CommandError, match="归档后才能导出"):
        call_command(
            "casefile",
            "package",
            str(case.pk),
            "--out",
            str(tmp_path / "out"),
            "--as",
            team.lead.username,
        )
    assert not (tmp_path / "out").exists()
    assert not entries_for(case.case_file).filter(action="casefile.export").exists()


def test_verify_package_reports_a_directory_that_is_no_bag(tmp_path):
    problems = verify_package(tmp_path)
    assert [p.code for p in problems] == ["not_a_bag"]
