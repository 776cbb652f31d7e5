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
