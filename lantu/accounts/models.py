"""Users: each bound to one region node, holding roles (``lantu.accounts.roles``)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from lantu.accounts.roles import Perm, permissions
from lantu.regions.models import Region


class User(AbstractUser):
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("所属区划")
    )
    roles = models.JSONField(_("角色"), default=list, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    def perms(self) -> frozenset[Perm]:
        return permissions(list(self.roles))

    def can(self, perm: Perm) -> bool:
        return perm in self.perms()

    @property
    def primary_role(self) -> str:
        return str(self.roles[0]) if self.roles else ""


class ApiToken(models.Model):
    """A bearer token for scripts (``lantu.api.auth``): an opaque random secret shown once; only
    its SHA-256 is stored. It dies on expiry, on logout, on revocation and when the password
    changes (``password_mark`` is a hash of the password hash at issue)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    password_mark = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
