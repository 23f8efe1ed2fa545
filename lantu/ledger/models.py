"""The append-only event log (台账). Each event records who, in which role, when, why, and the
object's state before and after; each event's hash covers the previous event's hash, so any edit
or deletion of a past event breaks the chain (``lantu ledger verify``)."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    actor_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=30, blank=True)
    action = models.CharField(_("操作"), max_length=60)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, db_index=True)
    region_path = models.CharField(max_length=120, blank=True, db_index=True)
    reason = models.TextField(_("原因"), blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    batch = models.CharField(max_length=64, blank=True, db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class Head(models.Model):
    """The ledger's sealed head (one row): how many events there are, the last one's id and hash,
    and an HMAC of the three under a key kept outside the database (``lantu.ledger.anchor``).
    Updated in the transaction of every append, so deleting the newest events, truncating the
    log or recomputing the whole chain leaves a head that no longer matches, and forging a
    matching head needs the key."""

    count = models.BigIntegerField(default=0)
    last_id = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("台账链头")
