"""The room's file kinds in the order a county fills them: the project library, beneficiaries,
funds available, allocations, payments to households (each module registers its ``Table``)."""

from __future__ import annotations

from lantu.projects import import_funds, import_payments, import_projects
from lantu.projects.imports import TABLES, import_file, import_frame, template

ORDER = ("projects", "beneficiaries", "funds", "allocations", "disbursements")
_REGISTERED = (import_funds, import_payments, import_projects)

__all__ = ["ORDER", "TABLES", "import_file", "import_frame", "template"]
