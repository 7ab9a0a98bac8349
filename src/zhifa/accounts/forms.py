from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils import timezone

from zhifa.accounts import services
from zhifa.accounts.models import Agency, Credential, Officer, Role, Unit


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


# --- Workbench forms: input shape only; the services decide what is allowed ------------


class ModelFieldsForm(forms.Form):
    """A plain form whose fields take their labels, lengths and choices from ``model``.

    Not a ``ModelForm``: that would also run the model's uniqueness and constraint
    checks, and those belong to the services, which report them in their own words.
    """

    model: type
    model_fields: tuple[str, ...] = ()
    widgets: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(self.model, fields=self.model_fields, widgets=self.widgets)
        )
        self.order_fields(self.field_order)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 4


class AgencyProfileForm(ModelFieldsForm):
    """The PUB-02 profile of an agency, as its admin edits it."""

    model = Agency
    model_fields = services.AGENCY_PROFILE_FIELDS


class AgencyCreateForm(ModelFieldsForm):
    model = Agency
    model_fields = (
        "region",
        "name",
        "kind",
        "domain",
        "entrusted_by",
        *services.AGENCY_PROFILE_FIELDS,
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        # Codes tell apart regions of the same name in different cities.
        self.fields["region"].label_from_instance = lambda r: f"{r.name}（{r.code}）"
        self.fields["entrusted_by"].queryset = agencies
        self.fields["entrusted_by"].help_text = "仅受委托组织填写"


class UnitForm(ModelFieldsForm):
    model = Unit
    model_fields = ("name", "kind", "duties")


class PasswordForm(forms.Form):
    """A password typed twice; its strength is checked by the service."""

    password1 = forms.CharField(label="新密码", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="再次输入新密码", strip=False, widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.pop("password1", None), cleaned.pop("password2", None)
        if first is not None and second is not None and first != second:
            self.add_error("password2", "两次输入的密码不一致。")
        cleaned["password"] = first
        return cleaned


def _role_choices(roles) -> list[tuple[str, str]]:
    return [(Role(role).value, Role(role).label) for role in roles]


class OfficerCreateForm(PasswordForm, ModelFieldsForm):
    model = Officer
    model_fields = ("name", "unit", "post", "phone", "id_number", "legal_qualification")
    field_order = ("username", *model_fields, "roles", "password1", "password2")

    username = forms.CharField(
        label="用户名", max_length=150, validators=[UnicodeUsernameValidator()]
    )
    roles = forms.MultipleChoiceField(
        label="角色", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, units, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = "（不指定）"
        self.fields["roles"].choices = _role_choices(roles)
        self.fields["password1"].label = "初始密码"
        self.fields["password2"].label = "再次输入初始密码"


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label="角色")

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(roles)


class CredentialIssueForm(ModelFieldsForm):
    model = Credential
    model_fields = (
        "number",
        "kind",
        "issuer",
        "issued_on",
        "valid_until",
        "annual_review_on",
        "categories",
        "area",
    )
    widgets = {
        name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        for name in ("issued_on", "valid_until", "annual_review_on")
    }
