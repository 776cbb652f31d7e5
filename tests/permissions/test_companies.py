"""A user of company MAIN only, against every per-company thing of company NORD: the API answers 404 (not
403: it does not even say that the thing exists), the UI its 404 page, lists leave them out, and nothing is
changed. The customer book itself is shared; its credit data, holds, documents, overrides, reviews and
settings, accounting sync states, the history of holds, limits and review criteria, and the timeline's
documents are per company."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Role
from carnet.credit import review_criteria
from carnet.credit import services as credit
from carnet.integrations import accounting, webhooks
from carnet.integrations.accounting import accounting_settings
from carnet.integrations.models import EventType

from .book import Book, seed_book
from .conftest import fingerprint

# (method, path, body) against NORD's things, for a credit controller of MAIN (who may do all of these in
# their own company).
API_ATTEMPTS: list[tuple[str, str, Any]] = [
    ("get", "customers/{customer}/credit?company=NORD", None),
    ("put", "customers/{customer}/credit", {"company": "NORD", "limit": "99.00"}),
    ("get", "customers/{customer}/holds?company=NORD", None),
    ("post", "customers/{customer}/holds", {"type": "sale_order", "company": "NORD", "reason": "x"}),
    ("post", "holds/{hold}/lift", {}),
    ("get", "customers/{customer}/activity?company=NORD", None),
    ("get", "customers/{customer}/review-criteria?company=NORD", None),
    ("put", "customers/{customer}/review-criteria", {"company": "NORD", "grace_days": 5, "reason": "x"}),
    (
        "post",
        "credit-checks",
        {"customer": "{customer}", "company": "NORD", "kind": "order", "amount": "1.00"},
    ),
    ("get", "quotes/{quote}", None),
    ("post", "quotes/{quote}/cancel", {}),
    ("post", "quotes/{quote}/convert", {}),
    ("get", "orders/{order}", None),
    ("patch", "orders/{order}", {"amount": "1.00"}),
    ("post", "orders/{order}/cancel", {}),
    ("post", "orders/{held_order}/release", {"reason": "x"}),
    ("post", "orders/{held_order}/reject", {"reason": "x"}),
    ("get", "shipments/{shipment}", None),
    ("post", "shipments", {"order": "{order}", "amount": "1.00"}),
    ("get", "invoices/{invoice}", None),
    ("post", "invoices/{draft_invoice}/post", {}),
    ("get", "credit-notes/{credit_note}", None),
    ("post", "credit-notes/{credit_note}/allocations", {"allocations": []}),
    ("get", "payments/{payment}", None),
    ("post", "payments/{payment}/allocations", {"allocations": []}),
    ("get", "credit-hold-queue?company=NORD", None),
    ("get", "orders?company=NORD", None),
    ("get", "credit-reviews?company=NORD", None),
    ("post", "credit-reviews", {"company": "NORD"}),
    ("get", "credit-reviews/{review}", None),
    ("get", "credit-reviews/{review}/report.csv", None),
    ("post", "credit-reviews/{review}/apply", {}),
    ("get", "companies/NORD/settings", None),
    ("get", "customers/{customer}/accounting-sync?company=NORD", None),
    ("post", "customers/{customer}/accounting-sync?company=NORD", {}),
    ("post", "customers/{customer}/accounting-sync", {"company": "NORD"}),
    (
        "post",
        "customers/{customer}/accounting-sync/report",
        {"company": "NORD", "state": "synced", "external_id": "N-1"},
    ),
    (
        "post",
        "customers/{customer}/accounting-sync/report",
        {"company": "NORD", "state": "failed", "error": "x"},
    ),
    ("post", "quotes", {"customer": "{customer}", "company": "NORD", "amount": "1.00"}),
    ("post", "orders", {"customer": "{customer}", "company": "NORD", "amount": "1.00"}),
    ("post", "invoices", {"customer": "{customer}", "company": "NORD", "amount": "1.00"}),
    ("post", "payments", {"customer": "{customer}", "company": "NORD", "amount": "1.00"}),
]

UI_ATTEMPTS: list[tuple[str, str, dict[str, Any]]] = [
    ("get", "/documents/quotes/{quote}/", {}),
    ("get", "/documents/orders/{order}/", {}),
    ("get", "/documents/shipments/{shipment}/", {}),
    ("get", "/documents/invoices/{invoice}/", {}),
    ("get", "/documents/credit-notes/{credit_note}/", {}),
    ("get", "/documents/payments/{payment}/", {}),
    ("post", "/documents/quotes/{quote}/cancel/", {}),
    ("post", "/documents/quotes/{quote}/convert/", {}),
    ("post", "/documents/orders/{order}/cancel/", {}),
    ("post", "/documents/orders/{order}/amount/", {"amount": "1.00", "version": "1"}),
    ("post", "/documents/orders/{held_order}/release/", {"reason": "x"}),
    ("post", "/documents/orders/{held_order}/reject/", {"reason": "x"}),
    ("post", "/documents/invoices/{draft_invoice}/post/", {}),
    ("post", "/documents/payments/{payment}/allocate/", {}),
    ("get", "/documents/shipments/new/?order={order}", {}),
    ("post", "/credit/holds/{hold}/lift/", {}),
    ("post", "/credit/customers/{customer}/limit/", {"company": "NORD", "limit": "99.00"}),
    (
        "post",
        "/credit/customers/{customer}/holds/new/",
        {"company": "NORD", "type": "sale_order", "comment": "x"},
    ),
    ("post", "/credit/customers/{customer}/criteria/", {"company": "NORD", "grace_days": "5", "reason": "x"}),
    ("post", "/credit/customers/{customer}/criteria/clear/", {"company": "NORD"}),
    ("get", "/credit/reviews/{review}/", {}),
    ("get", "/credit/reviews/{review}/report.csv", {}),
    ("post", "/credit/reviews/{review}/apply/", {}),
    ("post", "/integrations/customers/{customer}/accounting-sync/", {"company": "NORD"}),
]


def _ids(book: Book) -> dict[str, Any]:
    return {
        "customer": book.customer.pk,
        "hold": book.hold.pk,
        "quote": book.quote.pk,
        "order": book.order.pk,
        "held_order": book.held_order.pk,
        "shipment": book.shipment.pk,
        "invoice": book.invoice.pk,
        "draft_invoice": book.draft_invoice.pk,
        "credit_note": book.credit_note.pk,
        "payment": book.payment.pk,
        "review": book.review.pk,
    }


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


NORD_SECRET_ID = "NORD-ACC-7731"


@pytest.fixture
def north(db: Any) -> Book:
    """NORD's book, with an accounting connection and the customer synced there: a refusal of a send or a
    report is then about the company, not a missing connection."""
    company = Company.objects.create(code="NORD", name="Distribution Nord", currency="CAD")
    book = seed_book(company)
    webhooks.create_endpoint(
        actor=None,
        data={
            "url": "https://compta-nord.example.com/carnet",
            "company": "NORD",
            "event_types": [EventType.CUSTOMER_SYNC_REQUESTED],
        },
    )
    accounting.report_sync(
        actor=None, customer=book.customer, company=company, state="synced", external_id=NORD_SECRET_ID
    )
    return book


@pytest.fixture
def main_controller(make_user: Callable[..., User], main_company: Company) -> User:
    return make_user("main-controller", Role.CREDIT_CONTROLLER, [main_company])


@pytest.mark.parametrize(
    ("method", "path", "body"), API_ATTEMPTS, ids=[f"{m} {p}" for m, p, _ in API_ATTEMPTS]
)
def test_api_answers_404_for_another_companys_things(
    method: str, path: str, body: Any, north: Book, main_controller: User, api_as: Any
) -> None:
    ids = _ids(north)
    api = api_as(main_controller)
    before = fingerprint()
    url = _fill(path, ids)
    response = getattr(api, method)(url) if body is None else getattr(api, method)(url, _fill(body, ids))
    assert response.status_code == 404, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/problem+json"
    assert fingerprint() == before


@pytest.mark.parametrize(("method", "path", "data"), UI_ATTEMPTS, ids=[f"{m} {p}" for m, p, _ in UI_ATTEMPTS])
def test_ui_answers_404_for_another_companys_things(
    method: str, path: str, data: dict[str, Any], north: Book, main_controller: User
) -> None:
    ids = _ids(north)
    client = Client()
    client.force_login(main_controller)
    before = fingerprint()
    response = getattr(client, method)(_fill(path, ids), _fill(data, ids))
    assert response.status_code == 404, (response.status_code, response.content[:300])
    assert fingerprint() == before


def test_lists_and_pages_leave_out_another_companys_things(
    north: Book, main_company: Company, main_controller: User, api_as: Any
) -> None:
    own = seed_book(main_company, customer=north.customer)
    api = api_as(main_controller)
    credit = api.get(f"customers/{north.customer.pk}/credit").json()
    assert [c["company"] for c in credit["companies"]] == ["MAIN"]
    holds = api.get(f"customers/{north.customer.pk}/holds").json()["items"]
    assert {h["id"] for h in holds} == {str(own.hold.pk)}
    for kind, own_doc, other_doc in [
        ("quotes", own.quote, north.quote),
        ("orders", own.order, north.order),
        ("shipments", own.shipment, north.shipment),
        ("invoices", own.invoice, north.invoice),
        ("credit-notes", own.credit_note, north.credit_note),
        ("payments", own.payment, north.payment),
    ]:
        listed = {d["id"] for d in api.get(kind).json()["items"]}
        assert str(own_doc.pk) in listed and str(other_doc.pk) not in listed, kind
    queue = {d["id"] for d in api.get("credit-hold-queue").json()["items"]}
    assert queue == {str(own.held_order.pk)}
    reviews = {r["id"] for r in api.get("credit-reviews").json()["items"]}
    assert reviews == {str(own.review.pk)}

    client = Client()
    client.force_login(main_controller)
    pages = [
        client.get(f"/customers/{north.customer.pk}/?tab=credit"),
        client.get(f"/customers/{north.customer.pk}/?tab=holds"),
        client.get(f"/customers/{north.customer.pk}/?tab=activity"),
        client.get("/documents/orders/"),
        client.get("/documents/credit-queue/"),
        client.get("/documents/credit-queue/?company=" + str(north.company.pk)),
        client.get("/credit/reviews/"),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "Distribution Nord" not in html
        assert f"/documents/orders/{north.order.pk}/" not in html
        assert f"/documents/orders/{north.held_order.pk}/" not in html
        assert f"/credit/reviews/{north.review.pk}/" not in html
        assert f"/credit/holds/{north.hold.pk}/" not in html


def _marked(book: Book, marker: str, limit: str) -> None:
    """A hold, a limit and review criteria of the customer in the book's company that only its history
    tells (the marker is in the hold's comment and the criteria's reason)."""
    credit.add_hold(
        actor=None, customer=book.customer, company=book.company, type="invoicing", comment=marker
    )
    credit.set_limit(actor=None, customer=book.customer, company=book.company, limit=limit)
    review_criteria.set_customer_criteria(
        actor=None, customer=book.customer, company=book.company, data={"grace_days": 12, "reason": marker}
    )


def _all_history(api: Any, customer_id: int, query: str = "") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        answer = api.get(f"customers/{customer_id}/history?limit=200{query}{cursor}")
        assert answer.status_code == 200, answer.content[:300]
        page = answer.json()
        items += page["items"]
        if not page["next_cursor"]:
            return items
        cursor = f"&cursor={page['next_cursor']}"


def test_history_leaves_out_another_companys_holds_limits_and_criteria(
    north: Book, main_company: Company, main_controller: User, api_as: Any
) -> None:
    own = seed_book(main_company, customer=north.customer)
    _marked(own, "Suivi interne MAIN", "1234.00")
    _marked(north, "Litige confidentiel NORD", "4321.00")
    api = api_as(main_controller)

    for query in ("", "&field=comment", "&field=limit", "&field=reason", "&source=system"):
        entries = _all_history(api, north.customer.pk, query)
        per_company = [e for e in entries if e["object"] in {"hold", "credit_limit", "review_criteria"}]
        assert not [e for e in per_company if e["object_label"].startswith("NORD")], query
        text = repr(entries)
        assert "Litige confidentiel NORD" not in text and "4321.00" not in text, query
    entries = _all_history(api, north.customer.pk)
    shown = {(e["object"], e["object_id"]) for e in entries}
    assert ("hold", own.hold.pk) in shown and ("hold", north.hold.pk) not in shown
    assert "Suivi interne MAIN" in repr(entries) and "1234.00" in repr(entries)

    client = Client()
    client.force_login(main_controller)
    for url in (
        f"/customers/{north.customer.pk}/?tab=history",
        f"/customers/{north.customer.pk}/?tab=history&field=comment",
    ):
        page = client.get(url)
        html = page.content.decode()
        assert page.status_code == 200
        assert "Litige confidentiel NORD" not in html and "4321" not in html, url
    assert "Suivi interne MAIN" in client.get(f"/customers/{north.customer.pk}/?tab=history").content.decode()


def _document_links(book: Book) -> list[str]:
    return [
        f"/documents/{kind}/{document.pk}/"
        for kind, document in [
            ("quotes", book.quote),
            ("orders", book.order),
            ("orders", book.held_order),
            ("shipments", book.shipment),
            ("invoices", book.invoice),
            ("invoices", book.draft_invoice),
            ("credit-notes", book.credit_note),
            ("payments", book.payment),
        ]
    ]


def test_timeline_leaves_out_another_companys_documents(
    north: Book, main_company: Company, main_controller: User
) -> None:
    own = seed_book(main_company, customer=north.customer)
    client = Client()
    client.force_login(main_controller)
    customer = north.customer.pk
    pages = {
        "tab": client.get(f"/customers/{customer}/?tab=timeline"),
        "all": client.get(f"/events/customers/{customer}/timeline/?kind=all"),
        "documents": client.get(f"/events/customers/{customer}/timeline/?kind=documents"),
        "tab documents": client.get(f"/customers/{customer}/?tab=timeline&kind=documents"),
    }
    for name, page in pages.items():
        html = page.content.decode()
        assert page.status_code == 200, name
        for link in _document_links(north):
            assert link not in html, (name, link)
    shown = pages["documents"].content.decode()
    assert all(link in shown for link in _document_links(own)), "the own company's documents are listed"


def test_accounting_sync_of_another_company_is_hidden(
    north: Book, main_company: Company, main_controller: User, api_as: Any
) -> None:
    api = api_as(main_controller)
    answer = api.get(f"customers/{north.customer.pk}/accounting-sync")
    assert answer.status_code == 200
    assert [c["company"] for c in answer.json()["companies"]] == ["MAIN"]
    assert NORD_SECRET_ID not in answer.content.decode()

    client = Client()
    client.force_login(main_controller)
    page = client.get(f"/customers/{north.customer.pk}/?tab=accounting")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-company="MAIN"' in html
    assert (
        'data-company="NORD"' not in html and NORD_SECRET_ID not in html and "Distribution Nord" not in html
    )


def test_another_companys_settings_and_their_accounting_part_are_neither_read_nor_changed(
    north: Book, main_controller: User, make_user: Callable[..., User], api_as: Any
) -> None:
    """A non-admin reads only their companies' settings (404 for another's) and may change none: the
    refusal of a change is the same 403 for another company as for a code that does not exist."""
    api = api_as(main_controller)
    assert api.get("companies/NORD/settings").status_code == 404
    assert api.get("companies/MAIN/settings").json()["accounting_sync_before_invoicing"] is False
    before = fingerprint()
    change = {"accounting_sync_before_invoicing": True}
    assert api.patch("companies/NORD/settings", change).status_code == 403
    assert api.patch("companies/NOPE/settings", change).status_code == 403
    assert fingerprint() == before
    assert accounting_settings(north.company).sync_before_invoicing is False

    client = Client()
    client.force_login(main_controller)
    assert client.get("/integrations/accounting/").status_code == 403
    assert client.post("/integrations/accounting/", {"required": ["NORD"]}).status_code == 403
    assert fingerprint() == before
