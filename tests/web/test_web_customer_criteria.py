"""A customer's own credit review criteria on its Credit tab: the set that applies (its own or the company's),
setting its own (refusals beside the fields, nothing saved), clearing them, and who may."""

import pytest
from django.test import Client

from carnet.accounts.models import Company
from carnet.credit import review_criteria
from carnet.credit.models import CreditReviewCriteria
from carnet.customers.models import Customer

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "tab-panel"}
COMPANY_REASON = "Factures impayées depuis plus de 60 jours"
OWN_REASON = "Entente de paiement à respecter"


@pytest.fixture
def company_criteria(main_company: Company) -> None:
    review_criteria.set_company_criteria(
        actor=None, company=main_company, data={"reason": COMPANY_REASON, "grace_days": 60}
    )


def credit_tab(client: Client, customer: Customer) -> str:
    response = client.get(f"/customers/{customer.pk}/?tab=credit")
    assert response.status_code == 200
    return response.content.decode()


def criteria_block(html: str, company: Company) -> str:
    return html.split(f'id="review-criteria-{company.pk}"', 1)[1].split('class="overrides"', 1)[0]


def post_criteria(client: Client, customer: Customer, **data: str):  # type: ignore[no-untyped-def]
    return client.post(f"/credit/customers/{customer.pk}/criteria/", {"company": "MAIN", **data}, **HTMX)


def beside(html: str, company: Company, field: str) -> str:
    return html.split(f'id="id_criteria_{company.pk}_{field}-field"', 1)[1].split("</div>", 1)[0]


def own_rows(customer: Customer) -> int:
    return CreditReviewCriteria.objects.filter(customer=customer).count()


def test_the_company_criteria_are_shown_by_default(
    controller_client: Client, customer: Customer, main_company: Company, company_criteria: None
) -> None:
    block = criteria_block(credit_tab(controller_client, customer), main_company)
    assert 'data-criteria-source="company"' in block and "The company's criteria." in block
    assert COMPANY_REASON in block and "An unpaid invoice older than 60 days" in block
    assert f'id="criteria-form-{main_company.pk}"' in block
    assert 'name="grace_days" value="60"' in block
    assert f'id="criteria-clear-{main_company.pk}"' not in block  # nothing of its own to clear


def test_a_controller_sets_the_customer_own_criteria(
    controller_client: Client, customer: Customer, main_company: Company, company_criteria: None
) -> None:
    response = post_criteria(
        controller_client,
        customer,
        action="warning",
        reason=OWN_REASON,
        grace_days="",
        limit_days="30",
        limit_minimum="500",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "MAIN: this customer&#x27;s own credit review criteria were saved." in html
    block = criteria_block(html, main_company)
    assert 'data-criteria-source="customer"' in block and "This customer's own criteria" in block
    assert OWN_REASON in block and "Unpaid for more than 30 days, above 500.00 CAD" in block
    assert f'id="criteria-clear-{main_company.pk}"' in block
    saved = review_criteria.get_effective_criteria(customer=customer, company=main_company)
    assert (saved.source, saved.action, saved.reason, saved.grace_days, saved.limit_days) == (
        "customer",
        "warning",
        OWN_REASON,
        None,
        30,
    )
    assert (saved.limit_percent, str(saved.limit_minimum)) == (None, "500.00")
    assert review_criteria.get_company_criteria(main_company).grace_days == 60  # the company's unchanged


def test_without_htmx_the_save_redirects_to_the_credit_tab(
    controller_client: Client, customer: Customer, main_company: Company
) -> None:
    response = controller_client.post(
        f"/credit/customers/{customer.pk}/criteria/",
        {"company": "MAIN", "action": "blocked", "reason": OWN_REASON, "grace_days": "45"},
    )
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/?tab=credit"
    assert review_criteria.get_effective_criteria(customer=customer, company=main_company).grace_days == 45


def test_a_percentage_and_a_minimum_at_once_are_refused(
    controller_client: Client, customer: Customer, main_company: Company, company_criteria: None
) -> None:
    response = post_criteria(
        controller_client,
        customer,
        action="blocked",
        reason=OWN_REASON,
        limit_days="30",
        limit_percent="80",
        limit_minimum="500",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "Give a percentage of the limit or a minimum overdue balance, not both" in beside(
        html, main_company, "limit_minimum"
    )
    assert 'name="limit_percent" value="80"' in html  # what was typed is shown again
    assert own_rows(customer) == 0


@pytest.mark.parametrize("field", ["grace_days", "limit_days"])
def test_negative_days_are_refused_beside_the_field(
    controller_client: Client, customer: Customer, main_company: Company, field: str
) -> None:
    data = {"action": "blocked", "reason": OWN_REASON, field: "-5"}
    if field == "limit_days":
        data["limit_percent"] = "80"
    html = post_criteria(controller_client, customer, **data).content.decode()
    assert "A number of days cannot be negative." in beside(html, main_company, field)
    assert own_rows(customer) == 0


def test_clearing_returns_to_the_company_criteria(
    controller_client: Client, customer: Customer, main_company: Company, company_criteria: None
) -> None:
    review_criteria.set_customer_criteria(
        actor=None, customer=customer, company=main_company, data={"reason": OWN_REASON, "grace_days": 10}
    )
    block = criteria_block(credit_tab(controller_client, customer), main_company)
    assert 'data-criteria-source="customer"' in block
    response = controller_client.post(
        f"/credit/customers/{customer.pk}/criteria/clear/", {"company": "MAIN"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "MAIN: this customer now follows the company&#x27;s credit review criteria." in html
    block = criteria_block(html, main_company)
    assert 'data-criteria-source="company"' in block and COMPANY_REASON in block
    assert own_rows(customer) == 0
    assert review_criteria.get_effective_criteria(customer=customer, company=main_company).source == "company"


def test_an_operator_sees_the_criteria_but_may_not_change_them(
    operator_client: Client, customer: Customer, main_company: Company, company_criteria: None
) -> None:
    review_criteria.set_customer_criteria(
        actor=None, customer=customer, company=main_company, data={"reason": OWN_REASON, "grace_days": 10}
    )
    block = criteria_block(credit_tab(operator_client, customer), main_company)
    assert OWN_REASON in block and "This customer's own criteria" in block
    assert "criteria-form-" not in block and "criteria-clear-" not in block
    data = {"company": "MAIN", "action": "blocked", "reason": "x", "grace_days": "1"}
    assert operator_client.post(f"/credit/customers/{customer.pk}/criteria/", data).status_code == 403
    clear = operator_client.post(f"/credit/customers/{customer.pk}/criteria/clear/", {"company": "MAIN"})
    assert clear.status_code == 403
    saved = review_criteria.get_effective_criteria(customer=customer, company=main_company)
    assert (saved.source, saved.grace_days) == ("customer", 10)


def test_the_criteria_in_french(
    controller_client: Client, customer: Customer, main_company: Company, company_criteria: None
) -> None:
    html = controller_client.get(
        f"/customers/{customer.pk}/?tab=credit", headers={"accept-language": "fr"}
    ).content.decode()
    block = criteria_block(html, main_company)
    assert "Les critères de l’entreprise." in block  # noqa: RUF001
    assert "Une facture impayée depuis plus de 60 jours" in block
    assert "Donner à ce client ses propres critères" in block
