"""The credit review in the UI: running one (and its refusals beside the fields), the proposal with its tick
boxes, applying only the ticked customers, once; the CSV report; who may do what; and the review criteria
and daily schedule on the credit settings page."""

import csv
import io
from collections.abc import Callable
from datetime import date, time, timedelta

import pytest
from django.test import Client

from carnet.accounts.models import User
from carnet.credit import review_criteria
from carnet.credit.models import CreditPolicy, CreditReview, CreditReviewCriteria, CreditReviewLine
from carnet.customers.models import Customer
from carnet.documents import services as documents

AS_OF = date(2026, 11, 22)
REASON = "Factures impayées depuis plus de 60 jours"


def aged_invoice(customer: Customer, amount: str, days: int) -> None:
    documents.enter_invoice(
        actor=None, customer=customer, company="MAIN", amount=amount, date=AS_OF - timedelta(days=days)
    )


@pytest.fixture
def late(make_customer: Callable[..., Customer]) -> tuple[Customer, Customer]:
    """Two approved customers of MAIN with an invoice unpaid for 90 days; grace days 60 on the company."""
    first = make_customer("Boulangerie Saint-Roch", code="R1001", status="approved", external_code="GRP1")
    second = make_customer("Quincaillerie Dubé", code="R1002", status="approved")
    aged_invoice(first, "1200.00", 90)
    aged_invoice(second, "800.00", 90)
    review_criteria.set_company_criteria(
        actor=None, company="MAIN", data={"reason": REASON, "grace_days": 60}
    )
    return first, second


def run(client: Client, **data: str) -> CreditReview:
    response = client.post("/credit/reviews/", {"company": "MAIN", "as_of": AS_OF.isoformat(), **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    review = CreditReview.objects.latest("id")
    assert response["Location"] == f"/credit/reviews/{review.pk}/"
    return review


# --- running -------------------------------------------------------------------------------------------


def test_a_controller_runs_a_review_and_sees_the_proposal(
    controller_client: Client, late: tuple[Customer, Customer]
) -> None:
    page = controller_client.get("/credit/reviews/").content.decode()
    assert 'href="/credit/reviews/" aria-current="page">Credit review' in page
    assert 'id="run-review"' in page
    review = run(controller_client)
    assert (review.to_block_count, review.to_release_count, review.as_of) == (2, 0, AS_OF)
    html = controller_client.get(f"/credit/reviews/{review.pk}/").content.decode()
    assert f"Review #{review.pk}: 2 to block, 0 to release." in html
    for customer in late:
        row = html.split(f'id="line-{customer.pk}"', 1)[1].split("</tr>", 1)[0]
        assert f'name="selected" value="{customer.pk}"' in row and "checked" in row
        assert f'href="/customers/{customer.pk}/"' in row
        assert "Approved" in row and "Blocked" in row and REASON in row
        assert "Grace days" in row and "90 days" in row
    assert "1,200.00" in html and "GRP1" in html
    assert 'id="apply-review"' in html and "Select all" in html and "Select none" in html
    assert f'href="/credit/reviews/{review.pk}/report.csv"' in html
    listing = controller_client.get("/credit/reviews/").content.decode()
    assert f'href="/credit/reviews/{review.pk}/"' in listing and "Not applied" in listing


def test_the_as_of_date_defaults_to_today(controller_client: Client, late: tuple[Customer, Customer]) -> None:
    from django.utils import timezone

    review = run(controller_client, as_of="")
    assert review.as_of == timezone.localdate()


def test_a_bad_as_of_date_is_explained_beside_the_field(
    controller_client: Client, late: tuple[Customer, Customer]
) -> None:
    response = controller_client.post("/credit/reviews/", {"company": "MAIN", "as_of": "22/11/2026"})
    assert response.status_code == 200
    html = response.content.decode()
    field = html.split('id="id_as_of-field"', 1)[1].split("</div>", 1)[0]
    assert "22/11/2026 is not a date; write it like 2026-11-22." in field
    assert 'value="22/11/2026"' in field
    assert not CreditReview.objects.exists()


def test_an_unknown_external_code_is_explained_beside_the_field(
    controller_client: Client, late: tuple[Customer, Customer]
) -> None:
    html = controller_client.post(
        "/credit/reviews/", {"company": "MAIN", "as_of": "2026-11-22", "external_code": "nope"}
    ).content.decode()
    field = html.split('id="id_external_code-field"', 1)[1].split("</div>", 1)[0]
    assert "No customer has the external code NOPE." in field
    assert not CreditReview.objects.exists()


def test_a_known_external_code_limits_the_run(
    controller_client: Client, late: tuple[Customer, Customer]
) -> None:
    review = run(controller_client, external_code="grp1")
    assert review.external_code == "GRP1"
    assert list(review.lines.values_list("customer_id", flat=True)) == [late[0].pk]


# --- permissions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["viewer_client", "operator_client"])
def test_viewers_and_operators_see_but_cannot_run_or_apply(
    who: str, request: pytest.FixtureRequest, late: tuple[Customer, Customer]
) -> None:
    client: Client = request.getfixturevalue(who)
    review = _run_as_service()
    listing = client.get("/credit/reviews/").content.decode()
    assert 'id="run-review"' not in listing and f'href="/credit/reviews/{review.pk}/"' in listing
    assert 'href="/credit/reviews/"' not in client.get("/customers/").content.decode()  # not in the menu
    assert client.post("/credit/reviews/", {"company": "MAIN"}).status_code == 403
    html = client.get(f"/credit/reviews/{review.pk}/").content.decode()
    assert 'id="apply-review"' not in html and "applying it is for credit controllers and admins" in html
    assert client.post(f"/credit/reviews/{review.pk}/apply/", {"selected": [late[0].pk]}).status_code == 403
    assert client.get(f"/credit/reviews/{review.pk}/report.csv").status_code == 200
    assert Customer.objects.get(pk=late[0].pk).status == "approved"


def test_an_accountant_runs_but_cannot_apply(
    client_as: Callable[[User], Client], make_user: Callable[..., User], late: tuple[Customer, Customer]
) -> None:
    accountant = client_as(make_user("accountant", "accountant"))
    review = run(accountant)
    html = accountant.get(f"/credit/reviews/{review.pk}/").content.decode()
    assert 'id="apply-review"' not in html
    assert accountant.post(f"/credit/reviews/{review.pk}/apply/").status_code == 403


def test_a_review_of_another_company_is_not_found(
    client_as: Callable[[User], Client], make_user: Callable[..., User], late: tuple[Customer, Customer]
) -> None:
    from factories import CompanyFactory

    west = CompanyFactory(code="WEST", name="Distribution Ouest")
    outsider = client_as(make_user("westie", "credit_controller", companies=[west]))
    review = _run_as_service()
    assert outsider.get(f"/credit/reviews/{review.pk}/").status_code == 404
    assert outsider.post(f"/credit/reviews/{review.pk}/apply/").status_code == 404
    assert outsider.get(f"/credit/reviews/{review.pk}/report.csv").status_code == 404
    assert f"/credit/reviews/{review.pk}/" not in outsider.get("/credit/reviews/").content.decode()


def _run_as_service() -> CreditReview:
    from carnet.credit.review import run_review

    return run_review(actor=None, company="MAIN", as_of=AS_OF)


# --- applying ------------------------------------------------------------------------------------------


def test_applying_changes_only_the_ticked_customers_once(
    controller_client: Client, controller: User, late: tuple[Customer, Customer]
) -> None:
    first, second = late
    review = run(controller_client)
    response = controller_client.post(f"/credit/reviews/{review.pk}/apply/", {"selected": [str(first.pk)]})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.status_reason) == ("blocked", REASON)
    assert (second.status, second.status_reason) == ("approved", "")
    review.refresh_from_db()
    assert (review.applied_count, review.skipped_count, review.applied_by_id) == (1, 0, controller.pk)
    results = dict(review.lines.values_list("customer_id", "result"))
    assert results == {first.pk: CreditReviewLine.APPLIED, second.pk: CreditReviewLine.NOT_SELECTED}

    html = controller_client.get(response["Location"]).content.decode()
    assert f"Review #{review.pk} applied: 1 status changes, 0 skipped." in html
    assert "cannot be applied again" in html and 'id="apply-review"' not in html
    row = html.split(f'id="line-{first.pk}"', 1)[1].split("</tr>", 1)[0]
    assert ">Applied<" in row
    row = html.split(f'id="line-{second.pk}"', 1)[1].split("</tr>", 1)[0]
    assert ">Not selected<" in row and "disabled" in row and "checked" not in row
    assert "Applied" in controller_client.get("/credit/reviews/").content.decode()

    # Applying again changes nothing and says so.
    changed_at = first.status_changed_at
    again = controller_client.post(
        f"/credit/reviews/{review.pk}/apply/", {"selected": [str(second.pk)]}, follow=True
    )
    assert "was already applied; it cannot be applied again and nothing was changed" in again.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status_changed_at, second.status) == (changed_at, "approved")
    assert CreditReview.objects.get(pk=review.pk).applied_count == 1


def test_a_customer_changed_since_the_run_is_skipped_with_the_note(
    controller_client: Client, late: tuple[Customer, Customer]
) -> None:
    from carnet.customers.services import set_status

    first, second = late
    review = run(controller_client)
    set_status(actor=None, customer_id=second.pk, status="warning", reason="Appel fait")
    controller_client.post(f"/credit/reviews/{review.pk}/apply/", {"selected": [first.pk, second.pk]})
    html = controller_client.get(f"/credit/reviews/{review.pk}/").content.decode()
    row = html.split(f'id="line-{second.pk}"', 1)[1].split("</tr>", 1)[0]
    assert ">Skipped<" in row and "Status changed since the run" in row
    assert Customer.objects.get(pk=second.pk).status_reason == "Appel fait"


def test_nothing_ticked_changes_nothing(controller_client: Client, late: tuple[Customer, Customer]) -> None:
    review = run(controller_client)
    controller_client.post(f"/credit/reviews/{review.pk}/apply/", {})
    assert set(Customer.objects.filter(pk__in=[c.pk for c in late]).values_list("status", flat=True)) == {
        "approved"
    }
    assert set(review.lines.values_list("result", flat=True)) == {CreditReviewLine.NOT_SELECTED}


def test_the_csv_report(controller_client: Client, late: tuple[Customer, Customer]) -> None:
    first = late[0]
    review = run(controller_client)
    controller_client.post(f"/credit/reviews/{review.pk}/apply/", {"selected": [first.pk]})
    response = controller_client.get(f"/credit/reviews/{review.pk}/report.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="credit-review-{review.pk}-MAIN-2026-11-22.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
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
    assert rows[1][:10] == [
        "R1001",
        "Boulangerie Saint-Roch",
        "block",
        "approved",
        "blocked",
        "grace_days",
        "1200.00",
        "90",
        "",
        "yes",
    ]
    assert rows[1][10] == "applied" and rows[2][0] == "R1002" and rows[2][9:11] == ["no", "not_selected"]


def test_the_page_in_french(controller_client: Client, late: tuple[Customer, Customer]) -> None:
    review = run(controller_client)
    html = controller_client.get(
        f"/credit/reviews/{review.pk}/", headers={"accept-language": "fr-CA,fr;q=0.9"}
    ).content.decode()
    assert "À bloquer" in html and "Tout cocher" in html and "Tout décocher" in html


# --- the settings page ---------------------------------------------------------------------------------


def criteria_post(admin: Client, **data: str):  # type: ignore[no-untyped-def]
    payload = {"company": "MAIN", "part": "criteria"}
    payload.update({f"review-{k}": v for k, v in data.items()})
    return admin.post("/credit/settings/", payload)


def test_an_admin_sets_the_company_criteria(client_as: Callable[[User], Client], admin_user: User) -> None:
    admin = client_as(admin_user)
    html = admin.get("/credit/settings/").content.decode()
    assert 'id="criteria-form"' in html and 'id="schedule-form"' in html
    response = criteria_post(
        admin, action="warning", reason=REASON, grace_days="60", limit_days="30", limit_percent="80"
    )
    assert response.status_code == 302 and response["Location"].endswith("#review-criteria")
    saved = review_criteria.get_company_criteria(admin_user.companies.get())
    assert (saved.action, saved.reason, saved.grace_days, saved.limit_days, str(saved.limit_percent)) == (
        "warning",
        REASON,
        60,
        30,
        "80.00",
    )
    html = admin.get("/credit/settings/").content.decode()
    assert "Credit review criteria of MAIN saved." in html
    assert (
        'name="review-grace_days" value="60"' in html and 'name="review-limit_percent" value="80.00"' in html
    )


def test_a_percentage_and_a_minimum_at_once_are_refused(
    client_as: Callable[[User], Client], admin_user: User
) -> None:
    admin = client_as(admin_user)
    response = criteria_post(
        admin, action="blocked", reason=REASON, limit_days="30", limit_percent="80", limit_minimum="500"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    field = html.split('id="id_review-limit_minimum-field"', 1)[1].split("</div>", 1)[0]
    assert "Give a percentage of the limit or a minimum overdue balance, not both" in field
    assert not CreditReviewCriteria.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"grace_days": "-5"}, "grace_days", "A number of days cannot be negative."),
        ({"limit_days": "30", "limit_percent": "1200"}, "limit_percent", "between 0 and 1000"),
        ({"grace_days": "abc"}, "grace_days", "abc is not a number of days"),
        ({"limit_days": "30"}, "limit_percent", "needs a percentage of the limit"),
    ],
)
def test_bad_criteria_are_explained_beside_the_fields(
    client_as: Callable[[User], Client], admin_user: User, data: dict[str, str], field: str, message: str
) -> None:
    admin = client_as(admin_user)
    html = criteria_post(admin, action="blocked", reason=REASON, **data).content.decode()
    beside = html.split(f'id="id_review-{field}-field"', 1)[1].split("</div>", 1)[0]
    assert message in beside
    assert not CreditReviewCriteria.objects.exists()


def test_a_criterion_without_a_reason_is_refused(
    client_as: Callable[[User], Client], admin_user: User
) -> None:
    html = criteria_post(client_as(admin_user), action="blocked", reason="", grace_days="60").content.decode()
    beside = html.split('id="id_review-reason-field"', 1)[1].split("</div>", 1)[0]
    assert "Say what the customer is told" in beside
    assert not CreditReviewCriteria.objects.exists()


def test_the_criteria_and_schedule_are_for_admins(controller_client: Client) -> None:
    assert (
        controller_client.post("/credit/settings/", {"company": "MAIN", "part": "criteria"}).status_code
        == 403
    )
    assert (
        controller_client.post("/credit/settings/", {"company": "MAIN", "part": "schedule"}).status_code
        == 403
    )


def test_an_admin_sets_the_daily_schedule(client_as: Callable[[User], Client], admin_user: User) -> None:
    admin = client_as(admin_user)
    admin.get("/credit/settings/")
    before = CreditPolicy.objects.get(company__code="MAIN")
    response = admin.post(
        "/credit/settings/",
        {
            "company": "MAIN",
            "part": "schedule",
            "schedule-review_schedule": "prepare",
            "schedule-review_time": "07:30",
            "schedule-version": before.version,
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#review-schedule")
    after = CreditPolicy.objects.get(company__code="MAIN")
    assert (after.review_schedule, after.review_time) == ("prepare", time(7, 30))
    html = admin.get("/credit/settings/").content.decode()
    assert "Daily credit review of MAIN saved." in html and 'value="07:30"' in html


@pytest.mark.parametrize(
    ("schedule", "at", "field", "message"),
    [
        ("prepare", "7h30", "review_time", "7h30 is not a time of day; write it like 06:00."),
        ("sometimes", "06:00", "review_schedule", "Select a valid choice."),
    ],
)
def test_a_bad_schedule_is_refused_with_nothing_saved(
    client_as: Callable[[User], Client], admin_user: User, schedule: str, at: str, field: str, message: str
) -> None:
    admin = client_as(admin_user)
    admin.get("/credit/settings/")
    before = CreditPolicy.objects.get(company__code="MAIN")
    html = admin.post(
        "/credit/settings/",
        {
            "company": "MAIN",
            "part": "schedule",
            "schedule-review_schedule": schedule,
            "schedule-review_time": at,
        },
    ).content.decode()
    assert "Nothing was saved" in html
    section = html.split('id="schedule-form"', 1)[1]
    assert message in section
    after = CreditPolicy.objects.get(company__code="MAIN")
    assert (after.version, after.review_schedule, after.review_time) == (
        before.version,
        before.review_schedule,
        before.review_time,
    )
