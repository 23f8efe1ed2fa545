"""Cases about a village or a county (their exit) name it as their subject, ``"village:<code>"`` or
``"county:<code>"`` (``lantu.procedures.subjects``), like every other case that is not about a
household; the region cases' own constraint gives way to one running case of a kind per subject.
Reversible: going back empties those subjects again."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat

LEVELS = ("village", "county")


def name_regions(apps, schema_editor):
    Case = apps.get_model("procedures", "Case")
    Region = apps.get_model("regions", "Region")
    for level in LEVELS:
        code = Region.objects.filter(pk=OuterRef("village_id")).values("code")[:1]
        Case.objects.filter(household__isnull=True, subject="", village__level=level).update(
            subject=Concat(Value(f"{level}:"), Subquery(code), output_field=models.CharField())
        )


def unname_regions(apps, schema_editor):
    Case = apps.get_model("procedures", "Case")
    for level in LEVELS:
        Case.objects.filter(household__isnull=True, subject__startswith=f"{level}:").update(
            subject=""
        )


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0004_training_clock"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="case", name="one_active_region_case_per_kind"),
        migrations.RunPython(name_regions, unname_regions),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("state__in", ["open", "held"]), models.Q(("subject", ""), _negated=True)
                ),
                fields=("subject", "kind"),
                name="one_active_subject_case_per_kind",
            ),
        ),
    ]
