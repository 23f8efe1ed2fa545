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
    CADRE = "cadre"  # 帮扶责任人: sees only the households paired with them (lantu.assistance)
    # The seven departments of Yunnan's assistance platform (DOMAIN §8), owned by the monitoring
    # room: each handles the monitoring tickets routed to it (部门办单), in its region's subtree.
    DEPT_EDUCATION = "dept_education"
    DEPT_CIVIL_AFFAIRS = "dept_civil_affairs"
    DEPT_HUMAN_RESOURCES = "dept_human_resources"
    DEPT_HOUSING = "dept_housing"
    DEPT_WATER = "dept_water"
    DEPT_HEALTH = "dept_health"
    DEPT_MEDICAL_INSURANCE = "dept_medical_insurance"


ROLE_LABELS = {
    Role.VILLAGE_ENTRY: _("村级录入"),
    Role.TOWNSHIP_REVIEW: _("乡镇审核"),
    Role.COUNTY_APPROVAL: _("县级审批"),
    Role.SUPERVISOR_VIEW: _("州市/省级查看"),
    Role.PREFECTURE_REVIEW: _("州市审核（贫困县退出）"),
    Role.PROVINCE_APPROVAL: _("省级评估审批（贫困县退出）"),
    Role.AUDITOR: _("审计"),
    Role.ADMIN: _("系统管理员"),
    Role.CADRE: _("帮扶责任人"),
    Role.DEPT_EDUCATION: _("教育部门"),
    Role.DEPT_CIVIL_AFFAIRS: _("民政部门"),
    Role.DEPT_HUMAN_RESOURCES: _("人社部门"),
    Role.DEPT_HOUSING: _("住建部门"),
    Role.DEPT_WATER: _("水利部门"),
    Role.DEPT_HEALTH: _("卫健部门"),
    Role.DEPT_MEDICAL_INSURANCE: _("医保部门"),
}

DEPARTMENT_ROLES = (
    Role.DEPT_EDUCATION,
    Role.DEPT_CIVIL_AFFAIRS,
    Role.DEPT_HUMAN_RESOURCES,
    Role.DEPT_HOUSING,
    Role.DEPT_WATER,
    Role.DEPT_HEALTH,
    Role.DEPT_MEDICAL_INSURANCE,
)


class Perm(StrEnum):
    VIEW = "view"  # see households in scope (every role)
    PERSONAL_DATA = "personal_data"  # unmasked ID numbers, phones, bank accounts, health
    EDIT = "edit"  # create and change households and members
    IMPORT = "import"  # bulk import from Excel/CSV
    EXPORT = "export"  # export lists to XLSX (masked per PERSONAL_DATA)
    REVIEW = "review"
    APPROVE = "approve"
    MANAGE_USERS = "manage_users"
    ASSIST = "assist"  # record visits and the progress of measures (lantu.assistance)
    # Monitoring tickets (线索工单) in scope; a department role sees only those routed to it.
    TICKETS = "tickets"
    # Supervision (lantu.supervision): run reconciliation, record inspections and findings.
    SUPERVISE = "supervise"


GRANTS: dict[Role, frozenset[Perm]] = {
    Role.VILLAGE_ENTRY: frozenset(
        {Perm.VIEW, Perm.PERSONAL_DATA, Perm.EDIT, Perm.IMPORT, Perm.EXPORT, Perm.ASSIST}
    ),
    Role.TOWNSHIP_REVIEW: frozenset(
        {
            Perm.VIEW,
            Perm.PERSONAL_DATA,
            Perm.EDIT,
            Perm.IMPORT,
            Perm.EXPORT,
            Perm.REVIEW,
            Perm.ASSIST,
        }
    ),
    Role.COUNTY_APPROVAL: frozenset(
        {
            Perm.VIEW,
            Perm.PERSONAL_DATA,
            Perm.EDIT,
            Perm.IMPORT,
            Perm.EXPORT,
            Perm.APPROVE,
            Perm.ASSIST,
        }
    ),
    # Prefecture and province supervise with statistics: no personal data, read-only.
    Role.SUPERVISOR_VIEW: frozenset({Perm.VIEW, Perm.EXPORT}),
    # Exit reviewers see statistics and the assessment, not personal data.
    Role.PREFECTURE_REVIEW: frozenset({Perm.VIEW, Perm.EXPORT, Perm.REVIEW}),
    Role.PROVINCE_APPROVAL: frozenset({Perm.VIEW, Perm.EXPORT, Perm.REVIEW, Perm.APPROVE}),
    # Auditors check the ledger against reality: they need the data, but change nothing.
    Role.AUDITOR: frozenset({Perm.VIEW, Perm.PERSONAL_DATA, Perm.EXPORT}),
    Role.ADMIN: frozenset(set(Perm)),
    # A cadre visits their own households: sees their details, records visits and measures'
    # progress, exports their own list; changes nothing in the registry.
    Role.CADRE: frozenset({Perm.VIEW, Perm.PERSONAL_DATA, Perm.EXPORT, Perm.ASSIST}),
    # A department sees no registry pages: only the tickets routed to it, with the contact and
    # ID details it needs to act on them.
    **{d: frozenset({Perm.TICKETS, Perm.PERSONAL_DATA}) for d in DEPARTMENT_ROLES},
}
# Every office role sees the monitoring tickets of its subtree (supervisors masked, read-only).
for _role in (Role.VILLAGE_ENTRY, Role.TOWNSHIP_REVIEW, Role.COUNTY_APPROVAL):
    GRANTS[_role] |= {Perm.TICKETS}
for _role in (Role.SUPERVISOR_VIEW, Role.AUDITOR):
    GRANTS[_role] |= {Perm.TICKETS}
# Supervision: the county, the prefecture and province supervisors, and auditors inspect.
for _role in (Role.COUNTY_APPROVAL, Role.SUPERVISOR_VIEW, Role.AUDITOR):
    GRANTS[_role] |= {Perm.SUPERVISE}


def permissions(roles: list[str]) -> frozenset[Perm]:
    out: set[Perm] = set()
    for r in roles:
        if r in Role.__members__.values():
            out |= GRANTS[Role(r)]
    return frozenset(out)
