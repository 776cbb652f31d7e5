"""Read-side functions for documents, as an actor may see them (the companies they belong to)."""

from typing import TypeVar

from django.db.models import Model, QuerySet

from carnet.accounts.models import Company, User
from carnet.customers.models import Customer

from .common import get_document
from .models import Invoice

M = TypeVar("M", bound=Model)


def visible_documents(
    model: type[M], *, actor: User | None, customer: Customer | None = None, company: Company | None = None
) -> QuerySet[M]:
    """Documents of one kind in the actor's companies (every company for None, the installation), newest
    first, optionally of one customer and one company."""
    documents = model._default_manager.select_related("customer", "company")
    if actor is not None:
        documents = documents.filter(company__in=actor.visible_companies())
    if customer is not None:
        documents = documents.filter(customer=customer)
    if company is not None:
        documents = documents.filter(company=company)
    return documents.order_by("-date", "-id")


def document(model: type[M], document_id: int | str, *, actor: User | None) -> M:
    """One document by id; unknown ids and other companies' documents raise NotFound."""
    return get_document(model, document_id, actor)


def invoice_with_lines(invoice_id: int | str, *, actor: User | None) -> Invoice:
    """One invoice with its lines (one query for them); NotFound as for any document."""
    found = get_document(Invoice, invoice_id, actor)
    return Invoice.objects.select_related("customer", "company").prefetch_related("lines").get(pk=found.pk)
