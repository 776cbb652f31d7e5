"""The OpenAPI document describes every endpoint with its schemas and problem+json errors; the docs load."""

from typing import Any

import pytest
from django.test import Client

from carnet.api import api as carnet_api

ENDPOINTS = {
    ("get", "/api/v1/customers"),
    ("post", "/api/v1/customers"),
    ("get", "/api/v1/customers/{customer_id}"),
    ("patch", "/api/v1/customers/{customer_id}"),
    ("delete", "/api/v1/customers/{customer_id}"),
    *{
        (m, f"/api/v1/customers/{{customer_id}}/{part}")
        for m in ("get", "post")
        for part in ("addresses", "contacts", "notes")
    },
    *{
        (m, f"/api/v1/{part}/{{{kind}_id}}")
        for m in ("get", "patch", "delete")
        for part, kind in (("addresses", "address"), ("contacts", "contact"), ("notes", "note"))
    },
}


@pytest.fixture
def document(db: Any) -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_every_endpoint_is_described(document: dict[str, Any]) -> None:
    described = {(m, p) for p, ops in document["paths"].items() for m in ops}

    assert described >= ENDPOINTS
    assert document["openapi"].startswith("3.1")


def test_every_operation_has_a_success_answer_and_problem_json_errors(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = {int(s) for s in operation["responses"]}
            assert statuses & {200, 201, 204}, (method, path)
            assert {401, 403} <= statuses, (method, path)
            for status, answer in operation["responses"].items():
                assert answer.get("description"), (method, path, status)
                if int(status) >= 400:
                    assert list(answer["content"]) == ["application/problem+json"], (method, path, status)
            # (Imports take a CSV file, not JSON: docs/import-export.md.)
            if method in ("post", "patch") and "application/json" in operation["requestBody"]["content"]:
                schema = operation["requestBody"]["content"]["application/json"]["schema"]
                # An optional body is wrapped: {"allOf": [{"$ref": ...}]}.
                assert "$ref" in schema or "$ref" in (schema.get("allOf") or [{}])[0], (method, path)
                assert 409 in statuses and 422 in statuses


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)

    assert refs
    for ref in refs:
        assert _resolve(document, ref) is not None, ref


def test_the_customer_schemas_carry_the_contract(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    customer = schemas["CustomerOut"]["properties"]
    create = schemas["CustomerCreate"]

    for field in (
        "id",
        "code",
        "name",
        "status",
        "status_reason",
        "categories",
        "external_code",
        "payment_terms_days",
        "currency",
        "version",
        "created_at",
        "updated_at",
    ):
        assert field in customer
    assert create["additionalProperties"] is False
    assert "acknowledge_duplicates" in create["properties"]
    assert set(_resolve(document, "#/components/schemas/Status")["enum"]) == {
        "prospect",
        "not_approved",
        "approved",
        "warning",
        "blocked",
        "closed",
    }
    assert {"duplicates", "existing", "reasons", "suggestion"} <= set(schemas["Conflict"]["properties"])


def test_the_same_document_as_the_code_builds(document: dict[str, Any]) -> None:
    assert document["paths"].keys() == carnet_api.get_openapi_schema()["paths"].keys()


def test_the_browsable_docs_load(db: Any) -> None:
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content
    assert b"swagger" in response.content.lower()
