"""GET /api/v1/exports/{kind} and POST /api/v1/imports/{kind}: the CSV of the command line, over HTTP."""

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import StreamingHttpResponse

from carnet.customers.models import Customer
from carnet.transfer import uploads

from .test_ui import BAD, GOOD


def post_csv(api: Any, kind: str, data: str | bytes, query: str = "", content_type: str = "text/csv") -> Any:
    body = data.encode("utf-8") if isinstance(data, str) else data
    return api.client.post(
        f"/api/v1/imports/{kind}{query}",
        data=body,
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )


@pytest.mark.django_db
def test_the_export_streams_the_csv_of_the_command(api: Any, book_data: dict[str, Any]) -> None:
    for kind in ("customers", "addresses", "payments"):
        response = api.get(f"exports/{kind}")
        assert response.status_code == 200
        assert isinstance(response, StreamingHttpResponse)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert f'filename="{kind}-' in response["Content-Disposition"]
        out = io.StringIO()
        call_command("export", kind, stdout=out)
        assert b"".join(response.streaming_content).decode() == out.getvalue()  # type: ignore[arg-type]


@pytest.mark.django_db
def test_an_export_of_an_unknown_kind_or_company_is_refused(api: Any) -> None:
    assert api.get("exports/colours").status_code == 400
    response = api.get("exports/invoices", params={"company": "NOPE"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_a_dry_run_answers_the_actions_and_changes_nothing(api: Any) -> None:
    response = post_csv(api, "customers", GOOD, "?dry_run=true")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is True and body["applied"] is False
    assert (body["rows"], body["created"], body["updated"], body["unchanged"]) == (2, 2, 0, 0)
    assert body["actions"] == [
        {"row": 2, "key": "A1", "action": "created"},
        {"row": 3, "key": "A2", "action": "created"},
    ]
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_an_import_from_the_body_and_from_a_multipart_file(api: Any) -> None:
    response = post_csv(api, "customers", GOOD, "?dry_run=false")
    assert response.status_code == 200, response.content
    assert response.json()["applied"] is True and response.json()["created"] == 2
    assert Customer.objects.count() == 2
    renamed = GOOD.replace("Quincaillerie Lévis", "Quincaillerie de Lévis")
    response = api.client.post(
        "/api/v1/imports/customers",
        {"file": SimpleUploadedFile("c.csv", renamed.encode(), content_type="text/csv")},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["updated"], response.json()["unchanged"]) == (1, 1)
    assert Customer.objects.get(code="A2").name == "Quincaillerie de Lévis"


@pytest.mark.django_db
def test_a_bad_file_answers_422_with_every_row_column_and_rule(api: Any) -> None:
    response = post_csv(api, "customers", BAD)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422 and "nothing was imported" in body["detail"]
    where = {(e["row"], e["column"]) for e in body["errors"]}
    assert where == {(3, "phone"), (4, "code"), (5, "max_order_amount")}
    assert all(e["message"] for e in body["errors"])
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_a_file_not_in_utf8_and_an_unknown_company_are_problems_of_the_file(api: Any) -> None:
    response = post_csv(api, "customers", "code,name\r\nA1,Société\r\n".encode("cp1252"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["row"] == 0 and "not UTF-8" in response.json()["errors"][0]["message"]
    response = post_csv(api, "customers", GOOD, "?company=NOPE")
    assert response.status_code == 422
    assert response.json()["errors"][0]["column"] == "company"
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_bodies_that_are_not_a_csv_file(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    response = post_csv(api, "customers", '{"code": "A1"}', content_type="application/json")
    assert response.status_code == 415
    response = api.client.post(
        "/api/v1/imports/customers", {"other": "x"}, HTTP_AUTHORIZATION=f"Bearer {api.token}"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "file"
    monkeypatch.setattr(uploads, "MAX_BYTES", 40)
    response = post_csv(api, "customers", GOOD)
    assert response.status_code == 413
    assert response.json()["type"].endswith("file_too_large")
    assert Customer.objects.count() == 0
