"""The data migration that names village and county cases as subjects (procedures 0005), both
ways, on the database the tests run on (SQLite or PostgreSQL)."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from tests.factories import COUNTY
from tests.procedures.conftest import VILLAGE, VILLAGE2, small_tree

BEFORE = [("procedures", "0004_training_clock")]
AFTER = [("procedures", "0005_case_region_subject")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_region_cases_get_their_subject_and_lose_it_going_back():
    small_tree()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        apps = _migrate(BEFORE)
        Case = apps.get_model("procedures", "Case")
        Region = apps.get_model("regions", "Region")
        day = datetime.date(2021, 3, 1)

        def case(kind, code, subject="", state="open"):
            r = Region.objects.get(code=code)
            return Case.objects.create(
                kind=kind, village=r, region_path=r.path, subject=subject, year=2019,
                step="appraisal", state=state, clue_date=day, step_started=day,
            )  # fmt: skip

        village = case("village_exit", VILLAGE)
        done = case("village_exit", VILLAGE2, state="completed")
        county = case("county_exit", COUNTY)
        project = case("project", VILLAGE, subject="project:7")

        apps = _migrate(AFTER)
        Case = apps.get_model("procedures", "Case")
        got = dict(Case.objects.values_list("pk", "subject"))
        assert got == {village.pk: f"village:{VILLAGE}", done.pk: f"village:{VILLAGE2}",
                       county.pk: f"county:{COUNTY}", project.pk: "project:7"}  # fmt: skip
        # One running case of a kind per subject, now for every subject.
        row = Case.objects.get(pk=village.pk)
        row.pk = None
        with pytest.raises(IntegrityError), transaction.atomic():
            row.save()

        apps = _migrate(BEFORE)
        Case = apps.get_model("procedures", "Case")
        got = dict(Case.objects.values_list("pk", "subject"))
        assert got == {village.pk: "", done.pk: "", county.pk: "", project.pk: "project:7"}
    finally:
        _migrate(latest)
