"""The department push endpoint: its own token, scoped to its datasets, all or nothing."""

import pytest

from lantu.matching import tokens
from lantu.matching.models import DatasetLoad, DepartmentRecord

pytestmark = pytest.mark.django_db
URL = "/api/matching/push/vehicles"
ROWS = [
    {"record_id": "1", "owner_id_number": "530602196007175417", "owner_name": "马斌",
     "purchase_price": 80000, "registered_year": 2020},
    {"record_id": "2", "owner_id_number": "", "owner_name": "龙明辉", "purchase_price": 40000,
     "registered_year": 2019},
]  # fmt: skip


def _post(client, key, dataset_url=URL, rows=ROWS):
    return client.post(
        dataset_url,
        {"as_of": "2025-06-30", "records": rows},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


def test_push_stores_a_load_for_the_tokens_dataset(client):
    key = tokens.issue(actor=None, department="交管", datasets=["vehicles"])
    res = _post(client, key)
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["rows"] == 2 and not body["errors"]
    load = DatasetLoad.objects.get(pk=body["load_id"])
    assert (load.dataset, load.source, str(load.as_of)) == ("vehicles", "push:交管", "2025-06-30")
    assert DepartmentRecord.objects.get(record_id="1").facts["purchase_price"] == "80000.0"


def test_push_is_refused_for_another_dataset_or_a_bad_token(client):
    key = tokens.issue(actor=None, department="交管", datasets=["vehicles"])
    other = _post(client, key, "/api/matching/push/public_employees")
    assert other.status_code == 403 and "public_employees" in other.json()["en"]
    assert _post(client, "dept_wrong").status_code == 401
    assert DatasetLoad.objects.count() == 0


def test_push_with_a_bad_row_stores_nothing_and_says_why(client):
    key = tokens.issue(actor=None, department="交管", datasets=["vehicles"])
    rows = [*ROWS, {"record_id": "3", "owner_name": "", "purchase_price": "x"}]
    res = _post(client, key, rows=rows)
    assert res.status_code == 400
    errors = {(e["row"], e["column"]) for e in res.json()["errors"]}
    assert errors == {(4, "姓名"), (4, "购置价")}
    assert DatasetLoad.objects.count() == 0
