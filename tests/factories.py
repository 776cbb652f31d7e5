"""Factories for the customer book: rows as the services would leave them, built directly for speed.

They bypass the rules on purpose (so a test can arrange a state, then call the service under test), but
keep what the services maintain: the reduced name, the search text and the one main address.
"""

from typing import Any, TypeVar

import factory
from factory.django import DjangoModelFactory

from carnet.customers.choices import Status
from carnet.customers.models import Address, Contact, Customer, Note, NoteCategory
from carnet.customers.search import name_key, refresh_search_text

T = TypeVar("T")


class ModelFactory(DjangoModelFactory[T]):
    """A factory whose call is typed as the model it makes, so tests type-check against the model."""

    class Meta:
        abstract = True

    # Never runs: factory_boy's metaclass answers the call. It only tells type checkers what comes back.
    def __new__(cls, *args: Any, **kwargs: Any) -> T:  # type: ignore[misc]
        raise NotImplementedError


class CustomerFactory(ModelFactory[Customer]):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"F{n + 1:05d}")
    name = factory.Sequence(lambda n: f"Entreprise d'essai {n + 1}")
    status = Status.APPROVED
    name_key = factory.LazyAttribute(lambda c: name_key(c.name))

    @classmethod
    def _create(cls, model_class: type[Customer], *args: Any, **kwargs: Any) -> Customer:
        customer = super()._create(model_class, *args, **kwargs)
        refresh_search_text(customer)
        return customer


class AddressFactory(ModelFactory[Address]):
    class Meta:
        model = Address

    customer = factory.SubFactory(CustomerFactory)
    line1 = factory.Sequence(lambda n: f"{n + 1} rue King Ouest")
    city = "Sherbrooke"
    province = "QC"
    postal_code = "J1H 1A1"
    country = "CA"
    # The first address of a customer is its main one, as add_address makes it.
    main = factory.LazyAttribute(lambda a: not a.customer.addresses.filter(main=True).exists())

    @classmethod
    def _create(cls, model_class: type[Address], *args: Any, **kwargs: Any) -> Address:
        address = super()._create(model_class, *args, **kwargs)
        refresh_search_text(address.customer)
        return address


class ContactFactory(ModelFactory[Contact]):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n + 1}")
    email = factory.Sequence(lambda n: f"contact{n + 1}@example.com")

    @classmethod
    def _create(cls, model_class: type[Contact], *args: Any, **kwargs: Any) -> Contact:
        contact = super()._create(model_class, *args, **kwargs)
        refresh_search_text(contact.customer)
        return contact


class NoteCategoryFactory(ModelFactory[NoteCategory]):
    class Meta:
        model = NoteCategory
        django_get_or_create = ("code",)

    code = "general"
    label_en = "General"
    label_fr = "Général"


class NoteFactory(ModelFactory[Note]):
    class Meta:
        model = Note

    customer = factory.SubFactory(CustomerFactory)
    category = factory.SubFactory(NoteCategoryFactory)
    text = factory.Sequence(lambda n: f"Note {n + 1}")


# --- credit (carnet/credit) ---------------------------------------------------------------------------
# Imported here so that this section stays one block at the end of the file.

from carnet.accounts.models import Company  # noqa: E402
from carnet.credit.models import CreditAccount, Hold  # noqa: E402


class CompanyFactory(ModelFactory[Company]):
    class Meta:
        model = Company
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CO{n + 1}")
    name = factory.LazyAttribute(lambda c: f"Company {c.code}")
    currency = "CAD"


def _main_company() -> Company:
    return Company.objects.get(code="MAIN")


class CreditAccountFactory(ModelFactory[CreditAccount]):
    """A credit account with a limit and zero balances; balances come from documents entered through the
    services, so that `carnet verify` agrees."""

    class Meta:
        model = CreditAccount
        django_get_or_create = ("customer", "company")

    customer = factory.SubFactory(CustomerFactory)
    company = factory.LazyFunction(_main_company)
    limit = None


class HoldFactory(ModelFactory[Hold]):
    """A hold as add_hold leaves it; built directly so that a test can also arrange one that has ended."""

    class Meta:
        model = Hold

    customer = factory.SubFactory(CustomerFactory)
    company = factory.LazyFunction(_main_company)
    type = "sale_order"
    comment = "Litige sur la facture 1042"
