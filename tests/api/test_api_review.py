"""The credit review's API end to end through HTTP with real tokens: running a review, reading and listing
reviews, the CSV report, applying (all, a selection, twice), a customer's own criteria, the company's review
settings, companies and roles, and the OpenAPI document.

As of 2026-11-22 throughout: an invoice dated 2026-08-01 is 113 days old, one dated 2026-11-01 is 21."""

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Role
from carnet.credit import services as credit
from carnet.credit.models import CreditPolicy, CreditReview, CreditReviewCriteria
from carnet.credit.review import run_review
from carnet.credit.review_criteria import set_company_criteria, set_customer_criteria
from carnet.customers.models import Customer
from carnet.documents import services as documents

AS_OF = "2026-11-22"
OLD = "2026-08-01"
RECENT = "2026-11-01"
REASON = "Overdue invoices"


@pytest.fixture
def other_company(db: Any) -> Company:
    return Company.objects.create(code="OTHER", name="Autre compagnie", currency="CAD")


@pytest.fixture
def grace_criteria(db: Any) -> None:
    set_company_criteria(actor=None, company="MAIN", data={"reason": REASON, "grace_days": 60})


def invoice(customer: Customer, amount: str, day: str, company: str = "MAIN") -> None:
    documents.enter_invoice(actor=None, customer=customer, company=company, amount=amount, date=day)


@pytest.fixture
def late(make_customer: Callable[..., Customer], grace_criteria: None) -> list[Customer]:
    """Two customers with an old unpaid invoice (to block) and one with a recent one (left alone)."""
    first = make_customer("Alpha inc.", code="A1", status="approved")
    second = make_customer("Bravo inc.", code="B2", status="approved")
    fine = make_customer("Charlie inc.", code="C3", status="approved")
    invoice(first, "800.00", OLD)
    invoice(second, "150.00", OLD)
    invoice(fine, "5000.00", RECENT)
    return [first, second]


def statuses() -> dict[str, tuple[str, str]]:
    return {c.code: (c.status, c.status_reason) for c in Customer.objects.order_by("code")}


def run_body(**change: Any) -> dict[str, Any]:
    return {"company": "MAIN", "as_of": AS_OF, "external_code": None, **change}


# --- running a review ----------------------------------------------------------------------------


def test_a_run_answers_the_proposal_and_keeps_it(api: Any, late: list[Customer]) -> None:
    first, second = late
    credit.set_limit(actor=None, customer=first, company="MAIN", limit="1000.00")
    before = statuses()

    response = api.post("credit-reviews", run_body())

    assert response.status_code == 201, response.content
    review = response.json()
    assert response["Location"] == f"/api/v1/credit-reviews/{review['id']}"
    assert isinstance(review["id"], str)
    assert (review["company"], review["as_of"], review["external_code"]) == ("MAIN", AS_OF, None)
    assert (review["applied_at"], review["applied_by"], review["created_by"]) == (None, None, "controller")
    assert (review["to_block_count"], review["to_release_count"], review["applied"]) == (2, 0, 0)
    assert review["criteria"] == {
        "action": "blocked",
        "reason": REASON,
        "grace_days": 60,
        "limit_days": None,
        "limit_percent": None,
        "limit_minimum": None,
    }
    assert review["to_release"] == []
    alpha, bravo = review["to_block"]
    assert {k: alpha[k] for k in ("customer", "code", "criteria", "overdue_balance", "oldest_days")} == {
        "customer": str(first.pk),
        "code": "A1",
        "criteria": ["grace_days"],
        "overdue_balance": "800.00",
        "oldest_days": 113,
    }
    assert (alpha["limit"], alpha["percent_of_limit"], alpha["new_status"], alpha["reason"]) == (
        "1000.00",
        "80.00",
        "blocked",
        REASON,
    )
    assert (alpha["status"], alpha["selected"], alpha["result"]) == ("approved", True, None)
    assert (bravo["customer"], bravo["limit"], bravo["percent_of_limit"]) == (str(second.pk), None, None)
    assert statuses() == before  # a proposal changes nothing

    read = api.get(f"credit-reviews/{review['id']}")
    assert read.status_code == 200, read.content
    assert read.json()["to_block"] == review["to_block"]
    assert CreditReview.objects.count() == 1


def test_a_run_filtered_by_external_code_and_as_of_today(
    api: Any, make_customer: Callable[..., Customer], grace_criteria: None
) -> None:
    east = make_customer("Est inc.", code="E1", status="approved", external_code="EST")
    west = make_customer("Ouest inc.", code="W1", status="approved", external_code="OUEST")
    invoice(east, "10.00", OLD)
    invoice(west, "10.00", OLD)

    only_east = api.post("credit-reviews", run_body(external_code="est")).json()
    today = api.post("credit-reviews", {"company": "MAIN"})

    assert only_east["external_code"] == "EST"
    assert [line["code"] for line in only_east["to_block"]] == ["E1"]
    assert today.status_code == 201, today.content
    assert [line["code"] for line in today.json()["to_block"]] == ["E1", "W1"]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"as_of": "22/11/2026"}, 422, "as_of"),
        ({"as_of": "2026-02-30"}, 422, "as_of"),
        ({"as_of": 20261122}, 400, "as_of"),
        ({"external_code": "NOWHERE"}, 422, "external_code"),
        ({"company": "NOPE"}, 422, "company"),
        ({"colour": "red"}, 400, "colour"),
    ],
)
def test_a_bad_run_names_the_field_and_keeps_nothing(
    api: Any, late: list[Customer], assert_problem: Any, change: dict[str, Any], status: int, field: str
) -> None:
    assert_problem(api.post("credit-reviews", run_body(**change)), status, field)

    assert not CreditReview.objects.exists()


def test_who_may_run_and_apply(
    api_as: Any, make_user: Callable[..., User], late: list[Customer], assert_problem: Any
) -> None:
    viewer = api_as(make_user("viewer", Role.VIEWER))
    operator = api_as(make_user("operator", Role.OPERATOR))
    accountant = api_as(make_user("accountant", Role.ACCOUNTANT))

    assert_problem(viewer.post("credit-reviews", run_body()), 403)
    assert_problem(operator.post("credit-reviews", run_body()), 403)
    assert not CreditReview.objects.exists()
    ran = accountant.post("credit-reviews", run_body())
    assert ran.status_code == 201, ran.content
    review_id = ran.json()["id"]
    before = statuses()
    assert_problem(accountant.post(f"credit-reviews/{review_id}/apply"), 403)
    assert_problem(viewer.post(f"credit-reviews/{review_id}/apply"), 403)
    assert statuses() == before
    assert CreditReview.objects.get().applied_at is None
    assert viewer.get(f"credit-reviews/{review_id}").status_code == 200


# --- applying ------------------------------------------------------------------------------------


def test_applying_every_line_then_again_changes_nothing(api: Any, late: list[Customer]) -> None:
    review_id = api.post("credit-reviews", run_body()).json()["id"]

    applied = api.post(f"credit-reviews/{review_id}/apply")

    assert applied.status_code == 200, applied.content
    result = applied.json()
    assert (result["applied_by"], result["applied"], result["skipped"]) == ("controller", 2, 0)
    assert result["applied_at"] is not None
    assert [(line["result"], line["selected"]) for line in result["to_block"]] == [
        ("applied", True),
        ("applied", True),
    ]
    assert statuses() == {
        "A1": ("blocked", REASON),
        "B2": ("blocked", REASON),
        "C3": ("approved", ""),
    }
    history = [h.history_change_reason for h in late[0].history.order_by("-history_date")[:1]]
    assert history == [f"credit review #{review_id}"]
    versions = {c.code: c.version for c in Customer.objects.all()}

    again = api.post(f"credit-reviews/{review_id}/apply", {"selected": [str(late[0].pk)]})

    assert again.status_code == 200, again.content
    assert again.json() == result
    assert {c.code: c.version for c in Customer.objects.all()} == versions


def test_applying_a_selection(api: Any, late: list[Customer], assert_problem: Any) -> None:
    first, second = late
    review_id = api.post("credit-reviews", run_body()).json()["id"]
    stranger = Customer.objects.get(code="C3")
    before = statuses()

    assert_problem(
        api.post(f"credit-reviews/{review_id}/apply", {"selected": [str(first.pk), str(stranger.pk)]}),
        422,
        "selected",
    )
    assert_problem(api.post(f"credit-reviews/{review_id}/apply", {"selected": ["abc"]}), 422, "selected")
    assert_problem(api.post(f"credit-reviews/{review_id}/apply", {"selected": "all"}), 400, "selected")
    assert statuses() == before
    assert CreditReview.objects.get().applied_at is None

    applied = api.post(f"credit-reviews/{review_id}/apply", {"selected": [second.pk]})

    assert applied.status_code == 200, applied.content
    lines = {line["code"]: (line["selected"], line["result"]) for line in applied.json()["to_block"]}
    assert lines == {"A1": (False, "not_selected"), "B2": (True, "applied")}
    assert statuses()["A1"] == ("approved", "")
    assert statuses()["B2"] == ("blocked", REASON)


def test_a_review_released_later(api: Any, late: list[Customer]) -> None:
    first, _second = late
    review_id = api.post("credit-reviews", run_body()).json()["id"]
    api.post(f"credit-reviews/{review_id}/apply", {"selected": [str(first.pk)]})
    # The invoices are not 200 days old: nothing is met any more.
    set_company_criteria(actor=None, company="MAIN", data={"reason": REASON, "grace_days": 200})

    later = api.post("credit-reviews", run_body()).json()

    assert later["to_block"] == []
    [release] = later["to_release"]
    assert (release["customer"], release["new_status"], release["reason"]) == (str(first.pk), "approved", "")


def test_unknown_reviews_are_not_found(api: Any, db: Any, assert_problem: Any) -> None:
    for path in ("credit-reviews/999999", "credit-reviews/abc", "credit-reviews/999999/report.csv"):
        assert_problem(api.get(path), 404)
    assert_problem(api.post("credit-reviews/999999/apply"), 404)


# --- the list ------------------------------------------------------------------------------------


def test_reviews_are_listed_newest_first_page_by_page(api: Any, late: list[Customer]) -> None:
    ids = [api.post("credit-reviews", run_body()).json()["id"] for _ in range(3)]

    first = api.get("credit-reviews", params={"company": "MAIN", "limit": 2})

    assert first.status_code == 200, first.content
    page = first.json()
    assert [r["id"] for r in page["items"]] == [ids[2], ids[1]]
    assert page["items"][0]["to_block_count"] == 2
    assert "to_block" not in page["items"][0]
    rest = api.get("credit-reviews", params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [r["id"] for r in rest["items"]] == [ids[0]]
    assert rest["next_cursor"] is None


# --- the report ----------------------------------------------------------------------------------


def test_the_report_is_csv_with_a_header_and_no_formulas(
    api: Any, make_customer: Callable[..., Customer], grace_criteria: None
) -> None:
    plain = make_customer("Dépanneur Côté", code="D1", status="approved")
    formula = make_customer('=HYPERLINK("http://evil.example","x")', code="D2", status="approved")
    invoice(plain, "800.00", OLD)
    invoice(formula, "20.00", OLD)
    review_id = api.post("credit-reviews", run_body()).json()["id"]
    api.post(f"credit-reviews/{review_id}/apply", {"selected": [str(plain.pk)]})

    response = api.get(f"credit-reviews/{review_id}/report.csv")

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"credit-review-{review_id}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "customer",
        "name",
        "action",
        "status",
        "new_status",
        "criteria",
        "overdue_balance",
        "oldest_days",
        "percent_of_limit",
        "selected",
        "applied",
        "note",
    ]
    assert rows[1] == [
        "D1",
        "Dépanneur Côté",
        "block",
        "approved",
        "blocked",
        "grace_days",
        "800.00",
        "113",
        "",
        "yes",
        "applied",
        "",
    ]
    assert rows[2][:2] == ["D2", '\'=HYPERLINK("http://evil.example","x")']
    assert rows[2][9:11] == ["no", "not_selected"]
    assert len(rows) == 3


# --- companies -----------------------------------------------------------------------------------


def test_another_companys_reviews_are_not_found(
    api: Any, late: list[Customer], other_company: Company, assert_problem: Any
) -> None:
    set_company_criteria(actor=None, company="OTHER", data={"reason": REASON, "grace_days": 60})
    invoice(late[0], "300.00", OLD, company="OTHER")
    theirs = run_review(actor=None, company="OTHER", as_of=AS_OF)
    mine = api.post("credit-reviews", run_body()).json()["id"]

    assert_problem(api.post("credit-reviews", run_body(company="OTHER")), 404)
    assert_problem(api.get(f"credit-reviews/{theirs.pk}"), 404)
    assert_problem(api.get(f"credit-reviews/{theirs.pk}/report.csv"), 404)
    assert_problem(api.post(f"credit-reviews/{theirs.pk}/apply"), 404)
    assert_problem(api.get("credit-reviews", params={"company": "OTHER"}), 404)
    assert [r["id"] for r in api.get("credit-reviews").json()["items"]] == [mine]
    assert CreditReview.objects.get(pk=theirs.pk).applied_at is None
    assert Customer.objects.get(pk=late[0].pk).status == "approved"


# --- a customer's own criteria -------------------------------------------------------------------


def test_a_customers_own_criteria_set_read_and_removed(
    api: Any, customer: Customer, grace_criteria: None, viewer: User, api_as: Any
) -> None:
    path = f"customers/{customer.pk}/review-criteria"
    company_set = {
        "action": "blocked",
        "reason": REASON,
        "grace_days": 60,
        "limit_days": None,
        "limit_percent": None,
        "limit_minimum": None,
    }
    assert api.get(path, params={"company": "MAIN"}).json() == {
        "customer": str(customer.pk),
        "company": "MAIN",
        "own": False,
        **company_set,
    }

    put = api.put(
        path,
        {
            "company": "MAIN",
            "action": "warning",
            "reason": "Watch",
            "grace_days": None,
            "limit_days": 30,
            "limit_percent": "80",
            "limit_minimum": None,
        },
    )

    assert put.status_code == 200, put.content
    own = {
        "customer": str(customer.pk),
        "company": "MAIN",
        "own": True,
        "action": "warning",
        "reason": "Watch",
        "grace_days": None,
        "limit_days": 30,
        "limit_percent": "80.00",
        "limit_minimum": None,
    }
    assert put.json() == own
    assert api_as(viewer).get(path).json() == own  # one company: ?company= may be left out

    deleted = api.delete(path, params={"company": "MAIN"})

    assert deleted.status_code == 204, deleted.content
    assert api.get(path).json()["own"] is False
    assert not CreditReviewCriteria.objects.filter(customer=customer).exists()
    assert api.delete(f"{path}?company=MAIN").status_code == 204


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"grace_days": -1}, 422, "grace_days"),
        ({"limit_days": -5, "limit_minimum": "10.00"}, 422, "limit_days"),
        ({"limit_days": 30, "limit_percent": "1001"}, 422, "limit_percent"),
        ({"limit_days": 30, "limit_percent": "-1"}, 422, "limit_percent"),
        ({"limit_days": 30}, 422, "limit_percent"),
        ({"limit_days": 30, "limit_minimum": "-1.00"}, 422, "limit_minimum"),
        ({"limit_days": 30, "limit_minimum": 10.5}, 400, "limit_minimum"),
        ({"grace_days": 10, "reason": ""}, 422, "reason"),
        ({"action": "closed"}, 400, "action"),
        ({"company": "NOPE"}, 422, "company"),
        ({"colour": "red"}, 400, "colour"),
    ],
)
def test_bad_customer_criteria_name_the_field_and_save_nothing(
    api: Any, customer: Customer, assert_problem: Any, change: dict[str, Any], status: int, field: str
) -> None:
    body = {"company": "MAIN", "reason": "Watch", "grace_days": 30, **change}

    assert_problem(api.put(f"customers/{customer.pk}/review-criteria", body), status, field)

    assert not CreditReviewCriteria.objects.exists()


def test_customer_criteria_roles_and_companies(
    api: Any,
    as_operator: Any,
    customer: Customer,
    other_company: Company,
    assert_problem: Any,
) -> None:
    path = f"customers/{customer.pk}/review-criteria"
    body = {"company": "MAIN", "reason": "Watch", "grace_days": 30}
    set_customer_criteria(
        actor=None, customer=customer, company="MAIN", data={"reason": "W", "grace_days": 30}
    )

    assert_problem(as_operator.put(path, body), 403)
    assert_problem(as_operator.delete(path, params={"company": "MAIN"}), 403)
    assert_problem(api.put(path, {**body, "company": "OTHER"}), 404)
    assert_problem(api.get(path, params={"company": "OTHER"}), 404)
    assert_problem(api.delete(f"{path}?company=OTHER"), 404)
    assert_problem(api.put("customers/999999/review-criteria", body), 404)
    assert_problem(api.get("customers/999999/review-criteria"), 404)
    assert CreditReviewCriteria.objects.get().grace_days == 30


@pytest.fixture
def as_operator(api_as: Callable[[User], Any], operator: User) -> Any:
    return api_as(operator)


# --- the company's review settings ---------------------------------------------------------------


def test_the_review_settings_read_and_merged_by_an_admin(
    api_as: Any, admin_user: User, as_operator: Any, assert_problem: Any
) -> None:
    read = as_operator.get("companies/MAIN/settings").json()
    assert read["review"] == {
        "action": "blocked",
        "reason": "",
        "grace_days": None,
        "limit_days": None,
        "limit_percent": None,
        "limit_minimum": None,
    }
    assert (read["review_schedule"], read["review_time"], read["version"]) == ("off", "06:00", 1)
    as_admin = api_as(admin_user)

    first = as_admin.patch(
        "companies/MAIN/settings",
        {
            "review": {"reason": REASON, "grace_days": 60},
            "review_schedule": "prepare",
            "review_time": "05:30",
        },
        headers={"If-Match": '"1"'},
    )

    assert first.status_code == 200, first.content
    assert first.json()["review"]["grace_days"] == 60
    assert (first.json()["review_schedule"], first.json()["review_time"]) == ("prepare", "05:30")
    assert first.json()["version"] == 2 and first["ETag"] == '"2"'
    merged = as_admin.patch(
        "companies/MAIN/settings", {"review": {"limit_days": 30, "limit_percent": "80", "action": "warning"}}
    )
    assert merged.status_code == 200, merged.content
    assert merged.json()["review"] == {
        "action": "warning",
        "reason": REASON,
        "grace_days": 60,
        "limit_days": 30,
        "limit_percent": "80.00",
        "limit_minimum": None,
    }
    off = as_admin.patch("companies/MAIN/settings", {"review": {"grace_days": None}}).json()
    assert (off["review"]["grace_days"], off["review"]["limit_days"]) == (None, 30)
    assert as_operator.get("companies/MAIN/settings").json()["review"] == off["review"]
    policy = CreditPolicy.objects.get()
    assert (policy.review_schedule, policy.review_time.strftime("%H:%M")) == ("prepare", "05:30")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"review": {"grace_days": -1}}, 422, "review.grace_days"),
        ({"review": {"limit_days": 30, "limit_percent": "1001"}}, 422, "review.limit_percent"),
        ({"review": {"limit_days": 30, "limit_percent": "12.345"}}, 422, "review.limit_percent"),
        ({"review": {"limit_minimum": "10.00"}}, 422, "review.limit_days"),
        ({"review": {"reason": ""}}, 422, "review.reason"),
        ({"review": {"grace_days": "soon"}}, 400, "review.grace_days"),
        ({"review": {"action": "never"}}, 400, "review.action"),
        ({"review": {"colour": "red"}}, 400, "review.colour"),
        ({"review_schedule": "weekly"}, 400, "review_schedule"),
        ({"review_time": "6h"}, 422, "review_time"),
        ({"review_time": "24:00"}, 422, "review_time"),
        (
            {"review_time": "07:00", "review": {"grace_days": -1}, "credit_hold_queue": True},
            422,
            "review.grace_days",
        ),
    ],
)
def test_bad_review_settings_name_the_field_and_save_nothing(
    api_as: Any,
    admin_user: User,
    main_company: Company,
    grace_criteria: None,
    assert_problem: Any,
    body: Any,
    status: int,
    field: str,
) -> None:
    before = (credit.get_policy(main_company).version, list(CreditReviewCriteria.objects.values()))

    assert_problem(api_as(admin_user).patch("companies/MAIN/settings", body), status, field)

    policy = CreditPolicy.objects.get()
    assert (policy.version, list(CreditReviewCriteria.objects.values())) == before
    assert (policy.review_schedule, policy.review_time.strftime("%H:%M"), policy.credit_hold_queue) == (
        "off",
        "06:00",
        False,
    )


def test_review_settings_roles_and_companies(
    api: Any, api_as: Any, admin_user: User, other_company: Company, assert_problem: Any
) -> None:
    admin_of_main = api_as(admin_user)
    assert_problem(api.patch("companies/MAIN/settings", {"review": {"reason": "x", "grace_days": 1}}), 403)
    assert_problem(api.patch("companies/MAIN/settings", {"review_schedule": "apply"}), 403)
    assert_problem(api.get("companies/OTHER/settings"), 404)
    assert admin_of_main.get("companies/OTHER/settings").status_code == 200  # an admin sees every company
    assert not CreditReviewCriteria.objects.exists()
    assert not CreditPolicy.objects.exclude(review_schedule="off").exists()


# --- the OpenAPI document ------------------------------------------------------------------------

REVIEW_PATHS = {
    ("post", "/api/v1/credit-reviews"),
    ("get", "/api/v1/credit-reviews"),
    ("get", "/api/v1/credit-reviews/{review_id}"),
    ("get", "/api/v1/credit-reviews/{review_id}/report.csv"),
    ("post", "/api/v1/credit-reviews/{review_id}/apply"),
    ("get", "/api/v1/customers/{customer_id}/review-criteria"),
    ("put", "/api/v1/customers/{customer_id}/review-criteria"),
    ("delete", "/api/v1/customers/{customer_id}/review-criteria"),
}


def test_the_openapi_document_lists_the_review_paths(db: Any) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    described = {(m, p) for p, ops in document["paths"].items() for m in ops}

    assert described >= REVIEW_PATHS
    for method, path in REVIEW_PATHS:
        operation = document["paths"][path][method]
        assert operation["summary"] and operation["responses"], (method, path)
    run = document["paths"]["/api/v1/credit-reviews"]["post"]["responses"]
    assert {"201", "403", "404", "422"} <= set(run)
    assert (
        "text/csv"
        in document["paths"]["/api/v1/credit-reviews/{review_id}/report.csv"]["get"]["responses"]["200"][
            "content"
        ]
    )
    schemas = document["components"]["schemas"]
    assert {"id", "company", "as_of", "to_block", "to_release", "applied_at", "applied_by"} <= set(
        schemas["ReviewOut"]["properties"]
    )
    assert {"customer", "code", "criteria", "overdue_balance", "oldest_days", "percent_of_limit"} <= set(
        schemas["ReviewLineOut"]["properties"]
    )
    review = schemas["CompanySettingsOut"]["properties"]
    assert {"review", "review_schedule", "review_time"} <= set(review)
    assert set(schemas["ReviewCriteriaOut"]["properties"]) == {
        "action",
        "reason",
        "grace_days",
        "limit_days",
        "limit_percent",
        "limit_minimum",
    }
