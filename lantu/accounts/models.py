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
