from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q


class Region(models.Model):
    """A 行政区划 (ORG-01): county → city → province, keyed by its GB/T 2260 code.

    Codes nest by prefix (province ``43``, city ``4307``, county ``430721``), so
    "inside this region" is a prefix match on the code.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"

    code = models.CharField("区划代码", max_length=6, unique=True, help_text="GB/T 2260 六位代码")
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def code_prefix(self) -> str:
        return {"province": self.code[:2], "city": self.code[:4]}.get(self.level, self.code)


class Domain(models.TextChoices):
    """The enforcement field of an agency (used for grouping and priority domains, PUB-06)."""

    MARKET = "market", "市场监管"
    EMERGENCY = "emergency", "应急管理"
    ECOLOGY = "ecology", "生态环境"
    URBAN = "urban", "城市管理综合执法"
    TRANSPORT = "transport", "交通运输"
    NATURAL_RESOURCES = "natural_resources", "自然资源"
    HEALTH = "health", "卫生健康"
    CULTURE = "culture", "文化市场"
    JUSTICE = "justice", "司法行政"
    OTHER = "other", "其他"


class Agency(models.Model):
    """An 行政执法机关 or 法律法规授权组织 (ORG-01, PUB-02 profile).

    The 司法局 of a region is the agency of kind ``supervisory`` there; it
    supervises every agency in its region. An entrusted organisation (受委托组织)
    is an agency with ``entrusted_by`` set.
    """

    class Kind(models.TextChoices):
        ENFORCEMENT = "enforcement", "行政执法机关"
        AUTHORISED = "authorised", "法律法规授权组织"
        ENTRUSTED = "entrusted", "受委托组织"
        SUPERVISORY = "supervisory", "行政执法监督机关（司法局）"

    region = models.ForeignKey(Region, verbose_name="行政区划", on_delete=models.PROTECT)
    name = models.CharField("主体名称", max_length=128)
    short_name = models.CharField("简称", max_length=32, blank=True)
    kind = models.CharField("主体类型", max_length=16, choices=Kind.choices)
    domain = models.CharField("执法领域", max_length=32, choices=Domain.choices)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    duties = models.TextField("具体职责", blank=True)
    division_of_duties = models.TextField("职责分工", blank=True)
    jurisdiction = models.TextField("管辖范围", blank=True)
    enforcement_area = models.CharField("执法区域", max_length=255, blank=True)
    nature = models.CharField("机构性质", max_length=64, blank=True)
    funding_source = models.CharField("经费来源", max_length=64, blank=True)
    staffing = models.CharField("编制", max_length=64, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=64, blank=True)
    address = models.CharField("地址", max_length=255, blank=True)
    postcode = models.CharField("邮编", max_length=6, blank=True)
    phone = models.CharField("办公电话", max_length=32, blank=True)
    complaint_phone = models.CharField("投诉举报电话", max_length=32, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    entrusted_by = models.ForeignKey(
        "self",
        verbose_name="委托机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entrusted_organisations",
    )
    entrustment_agreement = models.TextField(
        "委托协议", blank=True, help_text="受委托组织的委托协议要点（委托事项、期限、权限）"
    )
    is_active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "执法主体"
        verbose_name_plural = "执法主体"
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="agency_unique_name_in_region"),
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(kind="supervisory"),
                name="agency_one_supervisor_per_region",
            ),
            models.CheckConstraint(
                condition=Q(kind="entrusted", entrusted_by__isnull=False)
                | (~Q(kind="entrusted") & Q(entrusted_by__isnull=True)),
                name="agency_entrusted_has_principal",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_supervisory(self) -> bool:
        return self.kind == self.Kind.SUPERVISORY


class Unit(models.Model):
    """A 内设执法机构 / 承办机构 of an agency; kind ``legal`` is its 法制机构 (REV-02)."""

    class Kind(models.TextChoices):
        ENFORCEMENT = "enforcement", "执法机构"
        LEGAL = "legal", "法制机构"
        OTHER = "other", "其他内设机构"

    agency = models.ForeignKey(
        Agency, verbose_name="所属机关", on_delete=models.PROTECT, related_name="units"
    )
    name = models.CharField("机构名称", max_length=64)
    kind = models.CharField("机构类型", max_length=16, choices=Kind.choices)
    duties = models.TextField("职责", blank=True)

    class Meta:
        verbose_name = "内设机构"
        verbose_name_plural = "内设机构"
        ordering = ["agency_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="unit_unique_name_in_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.short_name or self.agency.name}·{self.name}"


class Role(models.TextChoices):
    """What a person may do in Zhifa. Granted per person, scoped by their agency."""

    OFFICER = "officer", "执法人员"
    UNIT_HEAD = "unit_head", "内设机构负责人"
    REVIEWER = "reviewer", "法制审核人员"
    LEADER = "leader", "机关负责人"
    AGENCY_ADMIN = "agency_admin", "机关管理员"
    SUPERVISOR = "supervisor", "执法监督人员（司法局）"
    SYSADMIN = "sysadmin", "系统管理员"


class Officer(models.Model):
    """A person working in an agency (ORG-01): the profile of a Django user.

    ``Officer`` is every staff member of an agency, whatever their roles; an
    执法人员 is an officer with the ``officer`` role and a valid credential.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        on_delete=models.PROTECT,
        related_name="officer",
    )
    agency = models.ForeignKey(
        Agency, verbose_name="所属机关", on_delete=models.PROTECT, related_name="officers"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name="所属内设机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
    )
    name = models.CharField("姓名", max_length=64)
    post = models.CharField("职务", max_length=64, blank=True)
    phone = models.CharField("联系电话", max_length=32, blank=True)
    id_number = models.CharField(
        "居民身份证号码", max_length=18, blank=True, help_text="仅内部使用，不公开"
    )
    legal_qualification = models.BooleanField("具有法律职业资格", default=False)
    training_hours = models.PositiveIntegerField("年度培训学时", default=0)
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["agency_id", "name"]

    def __str__(self) -> str:
        return self.name


class RoleGrant(models.Model):
    """One role held by one officer (ORG-01, REV-02)."""

    officer = models.ForeignKey(
        Officer, verbose_name="人员", on_delete=models.PROTECT, related_name="role_grants"
    )
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        constraints = [
            models.UniqueConstraint(fields=["officer", "role"], name="rolegrant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.get_role_display()}"


class Credential(models.Model):
    """A 行政执法证件 (ORG-01, PUB-04): only a valid one lets its holder act."""

    class Kind(models.TextChoices):
        ENFORCEMENT = "enforcement", "行政执法证"
        SUPERVISION = "supervision", "行政执法监督证"

    class Status(models.TextChoices):
        VALID = "valid", "有效"
        SUSPENDED = "suspended", "暂扣"
        EXPIRED = "expired", "过期"
        REVOKED = "revoked", "注销"

    officer = models.ForeignKey(
        Officer, verbose_name="持证人", on_delete=models.PROTECT, related_name="credentials"
    )
    number = models.CharField("证件编号", max_length=32, unique=True)
    kind = models.CharField(
        "证件类型", max_length=16, choices=Kind.choices, default=Kind.ENFORCEMENT
    )
    issuer = models.CharField("发证机关", max_length=128)
    issued_on = models.DateField("发证日期")
    valid_until = models.DateField("有效期至")
    annual_review_on = models.DateField("年审日期", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.VALID)
    status_reason = models.CharField("状态说明", max_length=255, blank=True)
    categories = models.CharField("执法类别", max_length=128, help_text="如：市场监管、安全生产")
    area = models.CharField("执法区域", max_length=128)

    class Meta:
        verbose_name = "执法证件"
        verbose_name_plural = "执法证件"
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("issued_on")),
                name="credential_valid_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def status_on(self, day: date) -> str:
        """The status in force on ``day``: a valid credential past its date is expired."""
        if self.status == self.Status.VALID and day > self.valid_until:
            return self.Status.EXPIRED
        return self.status

    def status_label_on(self, day: date) -> str:
        return self.Status(self.status_on(day)).label

    def is_valid_on(self, day: date) -> bool:
        return self.status_on(day) == self.Status.VALID and self.issued_on <= day


class LoginAttempt(models.Model):
    """One login attempt, kept for lockout after repeated failures."""

    username = models.CharField("用户名", max_length=150, db_index=True)
    succeeded = models.BooleanField("成功")
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    attempted_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "登录记录"
        verbose_name_plural = "登录记录"
        ordering = ["-attempted_at"]

    def __str__(self) -> str:
        return f"{self.username} {'成功' if self.succeeded else '失败'}"
