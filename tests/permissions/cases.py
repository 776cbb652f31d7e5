"""The protected actions of the permission matrix (carnet/accounts/roles.py), each as one attempt in the web
UI and one through the API, made against a seeded book (book.py) in the acting user's company.

An attempt says how to make the request and how to see that it did what it is for (`done`). A new Action
needs an attempt here (or a line in NO_UI / NO_API saying why there is none): a test fails until then.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from carnet.accounts.models import ApiToken, User
from carnet.accounts.roles import Action
from carnet.credit import services as credit
from carnet.credit.models import CreditOverride, CreditReview, Hold
from carnet.customers.forms import CustomerForm
from carnet.customers.models import Customer, Note, NoteCategory
from carnet.documents.models import Order, Payment, Quote
from carnet.integrations import webhooks
from carnet.integrations.models import AccountingSync, EventType, SyncState, WebhookEndpoint

from .book import Book

Path = Callable[[Book], str]
Data = Callable[[Book], dict[str, Any]]
Check = Callable[[Book], bool]


@dataclass(frozen=True)
class Attempt:
    method: str
    path: Path
    data: Data | None = None
    done: Check | None = None  # for a change: it happened (a read only needs a success status)
    arrange: Callable[[Book], None] | None = None
    # How a refusal looks. The UI shows its 403 page; a field the role may not change is shown disabled
    # and its posted value ignored (the rest of the form is saved): then only `done` tells.
    refused_with: frozenset[int] = field(default_factory=lambda: frozenset({403}))


NEW_NAME = "Cordonnerie du Fjord"
NEW_CODE = "ZZ9001"


def _customer(book: Book) -> Customer:
    return Customer.objects.get(pk=book.customer.pk)


def _unused_customer(book: Book) -> Customer:
    return Customer.objects.create(
        code="ZZ0001", name="Client sans documents", name_key="client sans documents"
    )


def _form_data(form: Any, **changes: Any) -> dict[str, Any]:
    """What a page posts for an untouched form (its initial values), with some fields changed."""
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False or value == "":
            continue
        data[name] = "on" if value is True else value
    data.update(changes)
    return data


def _create_form(book: Book) -> dict[str, Any]:
    return _form_data(CustomerForm(creating=True), name=NEW_NAME)


def _edit_form(book: Book, **changes: Any) -> dict[str, Any]:
    customer = _customer(book)
    form = CustomerForm(initial=CustomerForm.initial_for(customer), creating=False, customer=customer)
    return _form_data(form, **changes)


def _today() -> str:
    return date.today().isoformat()


def _warn_only(book: Book) -> None:
    credit.set_policy(actor=None, company=book.company, limit_enforcement="warn_at_entry")


def _overrides(book: Book) -> int:
    return CreditOverride.objects.filter(customer=book.customer).count()


def _accounting_connection(book: Book) -> None:
    """A webhook that receives customer.sync_requested for the company: without one, sending is refused."""
    webhooks.create_endpoint(
        actor=None,
        data={
            "url": "https://compta.example.com/carnet",
            "company": book.company.code,
            "event_types": [EventType.CUSTOMER_SYNC_REQUESTED],
        },
    )


def _sent_to_accounting(book: Book) -> bool:
    return AccountingSync.objects.filter(
        customer=book.customer, company=book.company, state=SyncState.PENDING
    ).exists()


WEBHOOK_URL = "https://erp.example.com/carnet/events"


def _webhook_added(book: Book) -> bool:
    return WebhookEndpoint.objects.filter(url=WEBHOOK_URL).exists()


def _other_user() -> User:
    return User.objects.get_or_create(username="someone-else", defaults={"role": "viewer"})[0]


UI: dict[str, Attempt] = {
    Action.VIEW_CUSTOMERS: Attempt("get", lambda b: f"/customers/{b.customer.pk}/"),
    Action.CREATE_CUSTOMER: Attempt(
        "post",
        lambda b: "/customers/new/",
        _create_form,
        done=lambda b: Customer.objects.filter(name=NEW_NAME).exists(),
    ),
    Action.CHANGE_CUSTOMER: Attempt(
        "post",
        lambda b: f"/customers/{b.customer.pk}/notes/new/",
        lambda b: {"category": b.note_category, "text": "Rappeler lundi"},
        done=lambda b: Note.objects.filter(text="Rappeler lundi").exists(),
    ),
    Action.CHANGE_CUSTOMER_CODE: Attempt(
        "post",
        lambda b: f"/customers/{b.customer.pk}/edit/",
        lambda b: _edit_form(b, code=NEW_CODE),
        done=lambda b: _customer(b).code == NEW_CODE,
        refused_with=frozenset({302, 403}),
    ),
    Action.CHANGE_CUSTOMER_STATUS: Attempt(
        "post",
        lambda b: f"/customers/{b.customer.pk}/status/",
        lambda b: {"status": "blocked", "reason": "Chèques sans provision", "version": _customer(b).version},
        done=lambda b: _customer(b).status == "blocked",
    ),
    Action.DELETE_CUSTOMER: Attempt(
        "post",
        lambda b: f"/customers/{_unused_customer(b).pk}/delete/",
        done=lambda b: not Customer.objects.filter(code="ZZ0001").exists(),
    ),
    Action.EXPORT_CUSTOMERS: Attempt("get", lambda b: "/customers/export.csv"),
    Action.SET_CREDIT_LIMIT: Attempt(
        "post",
        lambda b: f"/credit/customers/{b.customer.pk}/limit/",
        lambda b: {"company": b.company.code, "limit": "12345.00"},
        done=lambda b: str(b.customer.credit_accounts.get(company=b.company).limit) == "12345.00",
    ),
    Action.MANAGE_HOLDS: Attempt(
        "post",
        lambda b: f"/credit/holds/{b.hold.pk}/lift/",
        done=lambda b: Hold.objects.get(pk=b.hold.pk).lifted_at is not None,
    ),
    Action.OVERRIDE_WARNING: Attempt(
        "post",
        lambda b: "/documents/orders/new/",
        lambda b: {
            "customer": b.customer.pk,
            "company": b.company.pk,
            "date": _today(),
            "amount": "700.00",
            "acknowledge_warnings": "1",
            "override_reason": "Commande urgente approuvée",
        },
        done=lambda b: _overrides(b) == 2,
        arrange=_warn_only,
    ),
    Action.RELEASE_CREDIT_HOLD: Attempt(
        "post",
        lambda b: f"/documents/orders/{b.held_order.pk}/reject/",
        lambda b: {"reason": "Client injoignable"},
        done=lambda b: Order.objects.get(pk=b.held_order.pk).status == "rejected",
    ),
    Action.RUN_REVIEW: Attempt(
        "post",
        lambda b: "/credit/reviews/",
        lambda b: {"company": b.company.code, "as_of": ""},
        done=lambda b: CreditReview.objects.count() == 2,
    ),
    Action.APPLY_REVIEW: Attempt(
        "post",
        lambda b: f"/credit/reviews/{b.review.pk}/apply/",
        done=lambda b: CreditReview.objects.get(pk=b.review.pk).applied_at is not None,
    ),
    Action.ENTER_DOCUMENTS: Attempt(
        "post",
        lambda b: "/documents/quotes/new/",
        lambda b: {"customer": b.customer.pk, "company": b.company.pk, "date": _today(), "amount": "75.00"},
        done=lambda b: Quote.objects.count() == 2,
    ),
    Action.ENTER_INVOICES: Attempt(
        "post",
        lambda b: "/documents/payments/new/",
        lambda b: {"customer": b.customer.pk, "company": b.company.pk, "date": _today(), "amount": "55.00"},
        done=lambda b: Payment.objects.count() == 2,
    ),
    Action.MANAGE_SETTINGS: Attempt(
        "post",
        lambda b: "/settings/note-categories/new/",
        lambda b: {"code": "litiges", "label_en": "Disputes", "label_fr": "Litiges"},
        done=lambda b: NoteCategory.objects.filter(code="litiges").exists(),
    ),
    Action.MANAGE_WEBHOOKS: Attempt(
        "post",
        lambda b: "/integrations/webhooks/",
        lambda b: {"url": WEBHOOK_URL, "event_types": [EventType.HOLD_ADDED], "active": "on"},
        done=_webhook_added,
    ),
    Action.SYNC_ACCOUNTING: Attempt(
        "post",
        lambda b: f"/integrations/customers/{b.customer.pk}/accounting-sync/",
        lambda b: {"company": b.company.code},
        done=_sent_to_accounting,
        arrange=_accounting_connection,
    ),
}

API: dict[str, Attempt] = {
    Action.VIEW_CUSTOMERS: Attempt("get", lambda b: f"customers/{b.customer.pk}"),
    Action.CREATE_CUSTOMER: Attempt(
        "post",
        lambda b: "customers",
        lambda b: {"name": NEW_NAME},
        done=lambda b: Customer.objects.filter(name=NEW_NAME).exists(),
    ),
    Action.CHANGE_CUSTOMER: Attempt(
        "patch",
        lambda b: f"customers/{b.customer.pk}",
        lambda b: {"name": NEW_NAME},
        done=lambda b: _customer(b).name == NEW_NAME,
    ),
    Action.CHANGE_CUSTOMER_CODE: Attempt(
        "patch",
        lambda b: f"customers/{b.customer.pk}",
        lambda b: {"code": NEW_CODE},
        done=lambda b: _customer(b).code == NEW_CODE,
    ),
    Action.CHANGE_CUSTOMER_STATUS: Attempt(
        "patch",
        lambda b: f"customers/{b.customer.pk}",
        lambda b: {"status": "blocked", "status_reason": "Chèques sans provision"},
        done=lambda b: _customer(b).status == "blocked",
    ),
    Action.DELETE_CUSTOMER: Attempt(
        "delete",
        lambda b: f"customers/{_unused_customer(b).pk}",
        done=lambda b: not Customer.objects.filter(code="ZZ0001").exists(),
    ),
    Action.SET_CREDIT_LIMIT: Attempt(
        "put",
        lambda b: f"customers/{b.customer.pk}/credit",
        lambda b: {"company": b.company.code, "limit": "12345.00"},
        done=lambda b: str(b.customer.credit_accounts.get(company=b.company).limit) == "12345.00",
    ),
    Action.MANAGE_HOLDS: Attempt(
        "post",
        lambda b: f"customers/{b.customer.pk}/holds",
        lambda b: {"type": "sale_order", "company": b.company.code, "reason": "Litige en cours"},
        done=lambda b: Hold.objects.filter(comment="Litige en cours").exists(),
    ),
    Action.OVERRIDE_WARNING: Attempt(
        "post",
        lambda b: "orders",
        lambda b: {
            "customer": str(b.customer.pk),
            "company": b.company.code,
            "amount": "700.00",
            "acknowledge_warnings": True,
            "override_reason": "Commande urgente approuvée",
        },
        done=lambda b: _overrides(b) == 2,
        arrange=_warn_only,
    ),
    Action.RELEASE_CREDIT_HOLD: Attempt(
        "post",
        lambda b: f"orders/{b.held_order.pk}/reject",
        lambda b: {"reason": "Client injoignable"},
        done=lambda b: Order.objects.get(pk=b.held_order.pk).status == "rejected",
    ),
    Action.RUN_REVIEW: Attempt(
        "post",
        lambda b: "credit-reviews",
        lambda b: {"company": b.company.code},
        done=lambda b: CreditReview.objects.count() == 2,
    ),
    Action.APPLY_REVIEW: Attempt(
        "post",
        lambda b: f"credit-reviews/{b.review.pk}/apply",
        done=lambda b: CreditReview.objects.get(pk=b.review.pk).applied_at is not None,
    ),
    Action.ENTER_DOCUMENTS: Attempt(
        "post",
        lambda b: "quotes",
        lambda b: {"customer": str(b.customer.pk), "company": b.company.code, "amount": "75.00"},
        done=lambda b: Quote.objects.count() == 2,
    ),
    Action.ENTER_INVOICES: Attempt(
        "post",
        lambda b: "payments",
        lambda b: {"customer": str(b.customer.pk), "company": b.company.code, "amount": "55.00"},
        done=lambda b: Payment.objects.count() == 2,
    ),
    Action.MANAGE_USERS: Attempt(
        "post",
        lambda b: "tokens",
        lambda b: {"name": "erp-sync", "user": _other_user().username},
        done=lambda b: ApiToken.objects.filter(user__username="someone-else").exists(),
    ),
    Action.MANAGE_SETTINGS: Attempt(
        "patch",
        lambda b: f"companies/{b.company.code}/settings",
        lambda b: {"limit_enforcement": "off"},
        done=lambda b: credit.get_policy(b.company).limit_enforcement == "off",
    ),
    Action.MANAGE_WEBHOOKS: Attempt(
        "post",
        lambda b: "webhooks",
        lambda b: {"url": WEBHOOK_URL, "event_types": [EventType.HOLD_ADDED]},
        done=_webhook_added,
    ),
    Action.SYNC_ACCOUNTING: Attempt(
        "post",
        lambda b: f"customers/{b.customer.pk}/accounting-sync",
        lambda b: {"company": b.company.code},
        done=_sent_to_accounting,
        arrange=_accounting_connection,
    ),
}

# Actions with no page or no API operation of their own, and why; a test keeps these lists honest.
NO_UI: dict[str, str] = {
    Action.MANAGE_USERS: "users and others' tokens are managed with `carnet createuser` / the API",
}
NO_API: dict[str, str] = {
    Action.EXPORT_CUSTOMERS: "the CSV export is a page (and `carnet export`); the API lists them as JSON",
}
