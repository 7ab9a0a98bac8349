from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from zhifa.accounts import services
from zhifa.accounts.models import Credential


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request else None


class LoginForm(AuthenticationForm):
    """Django's login form, refusing locked accounts and recording every attempt."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": "该账号因连续登录失败已被锁定，请于 %(until)s 后再试，或联系机关管理员。",
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if username:
            until = services.login_locked_until(username)
            if until is not None:
                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"until": timezone.localtime(until).strftime("%H:%M")},
                )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                services.login_attempt_record(
                    username=username, succeeded=False, ip_address=client_ip(self.request)
                )
            raise
        services.login_attempt_record(
            username=username,
            succeeded=True,
            ip_address=client_ip(self.request),
            user=self.get_user(),
        )
        return cleaned


class CredentialStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="变更为",
        choices=[
            (Credential.Status.SUSPENDED, "暂扣"),
            (Credential.Status.REVOKED, "注销"),
            (Credential.Status.VALID, "恢复有效"),
        ],
    )
    reason = forms.CharField(label="理由", max_length=255, widget=forms.Textarea(attrs={"rows": 3}))
