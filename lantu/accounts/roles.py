"""Roles and what each may do. One table, read by every view, API handler and export.

A user is bound to one region node and holds one or more roles; what a role may do applies only
inside the user's subtree (the scope filter in ``lantu.accounts.scope``).
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    VILLAGE_ENTRY = "village_entry"
    TOWNSHIP_REVIEW = "township_review"
    COUNTY_APPROVAL = "county_approval"
    SUPERVISOR_VIEW = "supervisor_view"
    # Village and county exit (lantu.exits): the prefecture reviews, the province assesses.
    PREFECTURE_REVIEW = "prefecture_review"
    PROVINCE_APPROVAL = "province_approval"
    AUDITOR = "auditor"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.VILLAGE_ENTRY: _("村级录入"),
    Role.TOWNSHIP_REVIEW: _("乡镇审核"),
    Role.COUNTY_APPROVAL: _("县级审批"),
    Role.SUPERVISOR_VIEW: _("州市/省级查看"),
    Role.PREFECTURE_REVIEW: _("州市审核（贫困县退出）"),
    Role.PROVINCE_APPROVAL: _("省级评估审批（贫困县退出）"),
    Role.AUDITOR: _("审计"),
    Role.ADMIN: _("系统管理员"),
}


class Perm(StrEnum):
    VIEW = "view"  # see households in scope (every role)
    PERSONAL_DATA = "personal_data"  # unmasked ID numbers, phones, bank accounts, health
    EDIT = "edit"  # create and change households and members
    IMPORT = "import"  # bulk import from Excel/CSV
    EXPORT = "export"  # export lists to XLSX (masked per PERSONAL_DATA)
    REVIEW = "review"
    APPROVE = "approve"
    MANAGE_USERS = "manage_users"


GRANTS: dict[Role, frozenset[Perm]] = {
    Role.VILLAGE_ENTRY: frozenset(
        {Perm.VIEW, Perm.PERSONAL_DATA, Perm.EDIT, Perm.IMPORT, Perm.EXPORT}
    ),
    Role.TOWNSHIP_REVIEW: frozenset(
        {Perm.VIEW, Perm.PERSONAL_DATA, Perm.EDIT, Perm.IMPORT, Perm.EXPORT, Perm.REVIEW}
    ),
    Role.COUNTY_APPROVAL: frozenset(
        {Perm.VIEW, Perm.PERSONAL_DATA, Perm.EDIT, Perm.IMPORT, Perm.EXPORT, Perm.APPROVE}
    ),
    # Prefecture and province supervise with statistics: no personal data, read-only.
    Role.SUPERVISOR_VIEW: frozenset({Perm.VIEW, Perm.EXPORT}),
    # Exit reviewers see statistics and the assessment, not personal data.
    Role.PREFECTURE_REVIEW: frozenset({Perm.VIEW, Perm.EXPORT, Perm.REVIEW}),
    Role.PROVINCE_APPROVAL: frozenset({Perm.VIEW, Perm.EXPORT, Perm.REVIEW, Perm.APPROVE}),
    # Auditors check the ledger against reality: they need the data, but change nothing.
    Role.AUDITOR: frozenset({Perm.VIEW, Perm.PERSONAL_DATA, Perm.EXPORT}),
    Role.ADMIN: frozenset(set(Perm)),
}


def permissions(roles: list[str]) -> frozenset[Perm]:
    out: set[Perm] = set()
    for r in roles:
        if r in Role.__members__.values():
            out |= GRANTS[Role(r)]
    return frozenset(out)
