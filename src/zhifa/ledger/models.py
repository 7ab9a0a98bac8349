from django.db import models


class LedgerEntry(models.Model):
    """One event of the append-only, hash-linked ledger (防删改, REC-11, REC-12).

    Each entry holds the SHA-256 of its canonical form, which includes the hash
    of the entry before it, so that changing or removing any entry breaks every
    later link. The database itself refuses UPDATE and DELETE on this table
    (see ``zhifa.ledger.dbguard``). Entries keep the actor's and the object's
    identity as plain values, never as foreign keys, so nothing can cascade
    into them.
    """

    seq = models.BigIntegerField("序号", primary_key=True)
    recorded_at = models.DateTimeField("记录时间")
    action = models.CharField("事件", max_length=64, db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    agency_id = models.BigIntegerField("所属机关ID", null=True, blank=True, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    payload = models.JSONField("内容", default=dict, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    entry_hash = models.CharField("本条哈希", max_length=64, unique=True)

    class Meta:
        db_table = "ledger_entry"
        verbose_name = "台账记录"
        verbose_name_plural = "台账记录"
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"


class LedgerCheckpoint(models.Model):
    """A signed checkpoint (c2sp.org/tlog-checkpoint) of the ledger (REC-11, INF-05).

    It commits the ledger to its first ``size`` entries through their Merkle
    root. A copy of every note is also written outside the database, so a
    database rewritten after the fact no longer matches what was signed.
    """

    size = models.BigIntegerField("台账条数", unique=True)
    root = models.CharField("默克尔根", max_length=64, help_text="SHA-256，十六进制")
    note = models.TextField("签名检查点", help_text="C2SP signed-note 格式全文")
    key_name = models.CharField("签名密钥名称", max_length=128)
    key_id = models.CharField("签名密钥标识", max_length=8)
    issued_at = models.DateTimeField("签发时间")

    class Meta:
        db_table = "ledger_checkpoint"
        verbose_name = "台账检查点"
        verbose_name_plural = "台账检查点"
        ordering = ["size"]

    def __str__(self) -> str:
        return f"检查点 {self.size}"


class StoredFile(models.Model):
    """An evidence file (执法文书 PDF, photo, audio, video) in the content-addressed
    evidence store (全过程记录 REC-05; 防删改 REC-11).

    A file is known by the SHA-256 of its content, so the same bytes are stored
    once. The SM3 digest (GB/T 32905) is kept beside it, and the SHA-256 of every
    chunk, so that a damaged object is not only detected but located. Like the
    ledger, rows are never updated or deleted (see ``zhifa.ledger.dbguard``), and
    the person who stored the file is kept as plain values, not a foreign key.
    """

    sha256 = models.CharField("SHA-256", max_length=64, unique=True, help_text="十六进制")
    sm3 = models.CharField("SM3", max_length=64, help_text="十六进制")
    size = models.BigIntegerField("大小（字节）")
    chunk_size = models.PositiveIntegerField("分块大小（字节）")
    chunk_sha256 = models.JSONField(
        "分块 SHA-256", default=list, blank=True, help_text="按顺序每块一个十六进制摘要"
    )
    content_type = models.CharField("文件类型", max_length=255, blank=True)
    original_name = models.CharField("原文件名", max_length=255)
    storage_key = models.CharField("存储键", max_length=255)
    backend = models.CharField("存储方式", max_length=16, help_text="local 或 s3")
    stored_at = models.DateTimeField("存证时间")
    stored_by_id = models.BigIntegerField("存证人ID", null=True, blank=True)
    stored_by_name = models.CharField("存证人", max_length=150, blank=True)

    class Meta:
        db_table = "ledger_stored_file"
        verbose_name = "存证文件"
        verbose_name_plural = "存证文件"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gte=0), name="stored_file_size"),
            models.CheckConstraint(
                condition=models.Q(chunk_size__gt=0), name="stored_file_chunk_size"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.sha256[:12]}）"


class VerificationRun(models.Model):
    """One full verification of the ledger (hash chain, signed checkpoints and
    stored evidence files) and what it found (防删改 REC-11, REC-12).

    The 司法局 reads these to know when the ledger was last checked and with
    what result. Rows are only ever appended, like the ledger itself (see
    ``zhifa.ledger.dbguard``), so a bad result cannot be rewritten into a good
    one; each run also appends a ``ledger.verify`` entry.
    """

    class Trigger(models.TextChoices):
        COMMAND = "command", "命令行（zhifa verify）"
        PAGE = "page", "工作台（立即校验）"

    started_at = models.DateTimeField("开始时间", db_index=True)
    finished_at = models.DateTimeField("结束时间")
    entries = models.BigIntegerField("台账条数")
    checkpoints = models.PositiveIntegerField("检查点数")
    files = models.BigIntegerField("存证文件数")
    findings_count = models.PositiveIntegerField("发现问题数")
    findings = models.JSONField(
        "发现的问题",
        default=list,
        blank=True,
        help_text="每项含 kind、object、path、chunk、expected、found、message",
    )
    trigger = models.CharField("发起方式", max_length=16, choices=Trigger.choices)
    run_by_id = models.BigIntegerField("发起人ID", null=True, blank=True)
    run_by_name = models.CharField("发起人", max_length=150, blank=True)

    class Meta:
        db_table = "ledger_verification_run"
        verbose_name = "台账校验记录"
        verbose_name_plural = "台账校验记录"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(finished_at__gte=models.F("started_at")),
                name="verification_run_finished_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"台账校验 {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def ok(self) -> bool:
        return self.findings_count == 0


class MerkleNode(models.Model):
    """The hash of one perfect subtree of the ledger's RFC 9162 Merkle tree: the
    one over leaves [index·2^level, (index+1)·2^level), level 0 being a leaf.

    Stored so that a root or proof reads O(log N) nodes instead of re-hashing
    every entry (see ``zhifa.ledger.tree``). A perfect subtree never changes once
    its last leaf exists, so rows are only appended, like the ledger (see
    ``zhifa.ledger.dbguard``). Derived data: ``selectors.merkle_node_audit``
    re-derives the nodes from the entries and names any that differ.
    """

    level = models.PositiveSmallIntegerField("层")
    index = models.BigIntegerField("序号")
    hash = models.CharField("哈希", max_length=64, help_text="SHA-256，十六进制")

    class Meta:
        db_table = "ledger_merkle_node"
        verbose_name = "默克尔节点"
        verbose_name_plural = "默克尔节点"
        ordering = ["level", "index"]
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="merkle_node_level_index"),
        ]

    def __str__(self) -> str:
        return f"默克尔节点 {self.level}/{self.index}"
