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
