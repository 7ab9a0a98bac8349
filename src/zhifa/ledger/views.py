"""The supervisor's page on the tamper-evident ledger (REC-11, REC-12): its
size, last checkpoint, the key to verify checkpoints with, and every full
verification with what it found. Shown to the 司法局's supervisors and the
system administrators; everyone else gets a 404, so the page does not leak."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from zhifa.core.errors import ZhifaError
from zhifa.ledger import selectors, services

RUNS_PER_PAGE = 20


@login_required
def ledger_state_view(request):
    state = selectors.ledger_state(actor=request.user)
    if state is None:
        raise Http404
    runs = Paginator(selectors.verification_run_list(actor=request.user), RUNS_PER_PAGE)
    return render(
        request,
        "ledger/state.html",
        {
            "title": "防删改台账",
            "state": state,
            "page": runs.get_page(request.GET.get("page")),
            "findings": _findings(state.last_run),
        },
    )


def _findings(run) -> list[dict]:
    """The last run's findings, each with its kind named in Chinese."""
    if run is None:
        return []
    return [
        {**f, "kind_label": selectors.FINDING_KINDS.get(f["kind"], f["kind"])} for f in run.findings
    ]


@login_required
def ledger_verify_view(request):
    if not selectors.ledger_supervised_by(request.user):
        raise Http404
    if request.method == "POST" and request.POST.get("confirmed"):
        try:
            run = services.verification_run(actor=request.user, trigger="page")
        except ZhifaError as exc:
            messages.error(request, exc.message)
        else:
            if run.ok:
                messages.success(
                    request, f"校验完成：台账完整，共 {run.entries} 条记录，未发现问题。"
                )
            else:
                messages.error(request, f"校验完成：发现 {run.findings_count} 处问题，详见下表。")
        return redirect("ledger:state")
    # GET, or the page's button posted without confirming: ask first, because
    # the check re-reads every evidence file and may take a while.
    return render(
        request,
        "core/confirm.html",
        {
            "title": "立即校验台账",
            "question": "将重新计算台账全部记录的哈希链，核对全部签名检查点及其库外副本，"
            "并重新读取全部存证文件。文件较多时需要较长时间；校验结果记入台账。",
            "form": forms.Form(),
            "verb": "校验",
            "cancel_url": reverse("ledger:state"),
        },
    )
