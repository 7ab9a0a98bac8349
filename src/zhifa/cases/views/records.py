"""The record form (one per kind, generated from ``KINDS``), corrections, later
signatures and the signature images.

Signature images and scans are put in the evidence store (``file_store``)
before ``record_add`` runs: a record the service refuses leaves at most
content-addressed files behind, never half a record.
"""

from __future__ import annotations

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from zhifa.accounts.selectors import officer_of
from zhifa.cases import services
from zhifa.cases.forms import RecordForm, SignatureForm
from zhifa.cases.models import Case, Record, Signature, Stage
from zhifa.cases.records import KINDS, Kind
from zhifa.cases.services import SignatureInput
from zhifa.cases.views.cases import Standing, addable_kinds, case_url, get_case, may_handle
from zhifa.core.errors import ZhifaError
from zhifa.ledger.evidence import backend
from zhifa.ledger.services import file_store


def signature_input(actor, form: SignatureForm, *, occurred_at) -> SignatureInput:
    """What ``form`` says, with its drawing or scan stored as evidence."""
    data = form.cleaned_data
    method = data["method"]
    image = None
    if method == Signature.Method.ON_SCREEN:
        content, content_type, ext = data["image"]
        image = file_store(
            actor=actor,
            stream=BytesIO(content),
            original_name=f"signature.{ext}",
            content_type=content_type,
        )
    elif method == Signature.Method.SCAN:
        upload = data["scan"]
        content_type, ext = data["scan_type"]
        image = file_store(
            actor=actor,
            stream=upload,
            original_name=upload.name or f"scan.{ext}",
            content_type=content_type,
        )
    # Drawn on this page means signed now; a paper signature or a refusal was
    # given when the record was made.
    signed_at = data["signed_at"] or (
        timezone.now() if method == Signature.Method.ON_SCREEN else occurred_at
    )
    is_officer = data["role"] == Signature.Role.OFFICER
    return SignatureInput(
        role=data["role"],
        name=data["name"],
        method=method,
        signed_at=signed_at,
        image=image,
        officer=data["officer"] if is_officer else None,
        refusal_note=data["refusal_note"],
        witness_name=data["witness_name"],
    )


def _record_page(request, case: Case, spec: Kind, *, supersedes: Record | None = None):
    posted = request.method == "POST"
    initial = RecordForm.initial_from(supersedes) if supersedes else {}
    initial.setdefault("occurred_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    form = RecordForm(request.POST if posted else None, spec=spec, initial=initial)
    signers = [
        SignatureForm(
            request.POST if posted else None,
            request.FILES if posted else None,
            case=case,
            role=role,
            prefix=f"sig{i}",
            initial={"officer": officer_of(request.user)},
        )
        for i, role in enumerate(spec.signers)
    ]
    if posted and all([form.is_valid(), *[s.is_valid() for s in signers]]):
        occurred_at = form.cleaned_data["occurred_at"]
        try:
            signatures = [
                signature_input(request.user, s, occurred_at=occurred_at) for s in signers
            ]
            record = services.record_add(
                actor=request.user,
                case=case,
                kind=spec.code,
                occurred_at=occurred_at,
                place=form.cleaned_data["place"],
                content=form.content(),
                signatures=signatures,
                supersedes=supersedes,
            )
        except ZhifaError as exc:
            form.add_error(None, exc.message)
        else:
            verb = "更正" if supersedes else "添加"
            messages.success(request, f"已{verb}{spec.label}。")
            return redirect(f"{case_url(case)}#record-{record.pk}")
    verb = "更正" if supersedes else "添加"
    return render(
        request,
        "cases/record_form.html",
        {
            "title": f"{verb}{spec.label}",
            "case": case,
            "spec": spec,
            "stage": Stage(spec.stage).label,
            "form": form,
            "signers": signers,
            "supersedes": supersedes,
            "cancel_url": case_url(case),
        },
    )


def _kind_for(standing: Standing, code: str) -> Kind:
    spec = KINDS.get(code)
    if spec is None:
        raise Http404("没有这种记录类型。")
    if not standing.may_author(code):
        raise PermissionDenied(
            {
                "leader": f"{spec.label}须由本机关负责人或承办机构负责人作出。",
                "reviewer": f"{spec.label}须由本机关法制审核人员作出。",
            }.get(spec.by, "只有本案的承办人员可以添加记录。")
        )
    return spec


@login_required
def record_create_view(request, pk: int):
    case = get_case(request, pk)
    standing = Standing.of(request.user, case)
    spec = _kind_for(standing, request.GET.get("kind", ""))
    allowed = {code for _, kinds in addable_kinds(standing, case) for code, _ in kinds}
    if spec.code not in allowed:
        if case.procedure not in spec.procedures:
            reason = f"{case.get_procedure_display()}的案件不使用“{spec.label}”。"
        elif case.stage not in (Stage.CLOSED, Stage.ARCHIVED):
            reason = (
                f"“{spec.label}”属于{Stage(spec.stage).label}环节，"
                f"案件当前处于{case.get_stage_display()}环节。"
            )
        else:
            reason = f"案件已{case.get_stage_display()}，不能再添加记录。"
        messages.error(request, reason)
        return redirect(case_url(case))
    return _record_page(request, case, spec)


def _record(case: Case, rid: int) -> Record:
    return get_object_or_404(case.records.select_related("superseded_by"), pk=rid)


@login_required
def record_correct_view(request, pk: int, rid: int):
    case = get_case(request, pk)
    record = _record(case, rid)
    spec = _kind_for(Standing.of(request.user, case), record.kind)
    if getattr(record, "superseded_by", None) is not None:
        messages.error(request, "该记录已被更正过，请更正最新的记录。")
        return redirect(case_url(case))
    if request.method == "GET":
        # The form opens filled with the record's content: a look at it (REC-12).
        services.case_viewed(actor=request.user, case=case, what=f"record:{record.pk}")
    return _record_page(request, case, spec, supersedes=record)


@login_required
def record_sign_view(request, pk: int, rid: int):
    case = get_case(request, pk)
    record = _record(case, rid)
    if not may_handle(request.user, case):
        raise PermissionDenied("只有本案的承办人员可以补录签名。")
    spec = KINDS.get(record.kind)
    signed = {s.role for s in record.signatures.all()}
    missing = [r for r in (spec.signers if spec else ()) if r not in signed]
    posted = request.method == "POST"
    form = SignatureForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        case=case,
        initial={"role": missing[0] if missing else Signature.Role.PARTY},
    )
    if posted and form.is_valid():
        try:
            signature = services.signature_add(
                actor=request.user,
                record=record,
                signature=signature_input(request.user, form, occurred_at=record.occurred_at),
            )
        except ZhifaError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, f"已补录{signature.get_role_display()}{signature.name}的签名。"
            )
            return redirect(f"{case_url(case)}#record-{record.pk}")
    return render(
        request,
        "cases/sign_form.html",
        {
            "title": f"补录签名：{record.kind_label}",
            "case": case,
            "record": record,
            "missing": [Signature.Role(r).label for r in missing],
            "form": form,
            "cancel_url": case_url(case),
        },
    )


@login_required
def signature_image_view(request, pk: int, sid: int):
    case = get_case(request, pk)
    signature = get_object_or_404(
        Signature.objects.select_related("image"), pk=sid, record__case=case, image__isnull=False
    )
    stored = signature.image
    try:
        stream = backend(stored.backend).open(stored.storage_key)
    except FileNotFoundError:
        raise Http404("签名文件不在存证库中。") from None
    services.case_viewed(actor=request.user, case=case, what=f"signature:{signature.pk}")
    return FileResponse(
        stream,
        content_type=stored.content_type or "application/octet-stream",
        filename=stored.original_name,
    )
