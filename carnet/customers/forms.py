"""Forms of the customer book's web UI.

Forms only parse what a person typed (types, required fields, choices); the rules live in the services,
whose field errors the views put back beside the matching field.
"""

import gettext as gettext_module
from functools import lru_cache
from typing import Any

import pycountry
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import fields_for_model
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from carnet.accounts.models import User
from carnet.customfields.forms import GROUP_TITLE, add_value_fields, pop_values

from .choices import Category, Status
from .models import Address, BookSettings, Contact, Customer, NoteCategory
from .validators import subdivision_codes

# Field groups of the customer form, in the order of the product brief.
IDENTITY = [
    "code",
    "name",
    "legal_name",
    "parent",
    "email",
    "phone",
    "website",
    "language",
    "currency",
    "assigned_to",
    "team",
    "external_code",
    "subcontractor_status",
    "categories",
    "intercompany",
    "key_account",
    "nurturing",
]
STATUS = ["status", "status_reason"]
BUSINESS_NUMBERS = ["gst_number", "qst_number", "neq", "vat_number", "siren", "siret", "ein"]
BILLING = [
    "payment_terms_days",
    "payment_method_in",
    "payment_method_out",
    "invoice_delivery",
    "invoice_copies",
    "payment_advice",
    "default_invoice_state",
    "shipper_identification",
    "bill_to",
    "billing_address",
    "default_delivery_address",
    "max_order_amount",
    "edi_type",
    "edi_reference",
    "order_label",
    "order_comment",
    "no_statements",
    "show_holdback",
]
BANK = [
    "bank_name",
    "bank_address",
    "bank_phone",
    "iban",
    "bic",
    "bank_institution",
    "bank_transit",
    "bank_account",
]
TAX = [
    "tax_code",
    "default_gl_account",
    "exempt_state",
    "exempt_school",
    "exempt_county",
    "exempt_local",
    "exempt_parish",
    "exempt_city",
]
GROUPS = [
    (_("Identity"), IDENTITY),
    (_("Status"), STATUS),
    (_("Business numbers"), BUSINESS_NUMBERS),
    (_("Billing and payment"), BILLING),
    (_("Bank"), BANK),
    (_("Tax"), TAX),
]
_MODEL_FIELDS = [
    f
    for f in IDENTITY + STATUS + BUSINESS_NUMBERS + BILLING + BANK + TAX
    if f not in {"categories", "parent", "bill_to", "billing_address", "default_delivery_address"}
]
# Fields that need more room than one column of the form grid (read by web/field.html).
WIDE_FIELDS = frozenset({"order_comment"})
SPAN_TWO = frozenset({"status_reason", "categories", "line1", "line2", "order_label", "bank_address"})


def widen(form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        if name in WIDE_FIELDS:
            field.layout = "wide"  # type: ignore[attr-defined]
        elif name in SPAN_TWO:
            field.layout = "span2"  # type: ignore[attr-defined]


class CustomerCodeField(forms.CharField):
    """A customer chosen by its code: a select of every customer would not scale to a real book."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Customer):
            return value.code
        if isinstance(value, int):
            return Customer.objects.filter(pk=value).values_list("code", flat=True).first() or ""
        return value

    def clean(self, value: Any) -> Customer | None:  # type: ignore[override]
        code = (super().clean(value) or "").strip().upper()
        if not code:
            return None
        customer = Customer.objects.filter(code=code).first()
        if customer is None:
            raise ValidationError(_("No customer has the code %(code)s."), params={"code": code})
        return customer


def _language() -> str:
    return (get_language() or "en")[:2]


@lru_cache(maxsize=8)
def country_choices(language: str) -> list[tuple[str, str]]:
    """ISO 3166 countries named in the reader's language (pycountry ships the translations)."""
    # English names need no catalogue; NullTranslations hands them back as they are.
    catalogue = gettext_module.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )
    translate = catalogue.gettext
    names = [(c.alpha_2, translate(c.name)) for c in pycountry.countries]
    return sorted(names, key=lambda item: item[1])


def province_choices(country: str) -> list[tuple[str, Any]]:
    """Subdivisions of the country named in the reader's language ("Québec (QC)")."""
    subdivisions = subdivision_codes(country) if country else {}
    if not subdivisions:
        return [("", _("— none —"))]
    catalogue = gettext_module.translation(
        "iso3166-2", pycountry.LOCALES_DIR, languages=[_language()], fallback=True
    )
    named = ((code, f"{catalogue.gettext(name)} ({code})") for code, name in subdivisions.items())
    return [("", "—"), *sorted(named, key=lambda item: item[1])]


def _formfield(field: Any, **kwargs: Any) -> forms.Field | None:
    # People type "example.com"; https is the scheme to assume today.
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class CustomerForm(forms.Form):
    """The customer record for people. `creating` shows code (optional) and status; editing shows the
    version, the address choices, the creation date, and the code disabled without its permission."""

    categories = forms.MultipleChoiceField(
        label=_("Categories"), choices=Category.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    parent = CustomerCodeField(label=_("Parent company"), help_text=_("Code of the parent company."))
    bill_to = CustomerCodeField(
        label=_("Bill to"), help_text=_("Code of the customer who pays; empty: itself.")
    )

    def __init__(
        self,
        *args: Any,
        creating: bool,
        may_change_code: bool = True,
        may_change_status: bool = True,
        customer: Customer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        model_fields = fields_for_model(
            Customer, fields=[*_MODEL_FIELDS, "created_at"], formfield_callback=_formfield
        )
        for name, field in model_fields.items():
            if field is not None:
                self.fields[name] = field
        users = User.objects.filter(is_active=True).order_by("username")
        self.fields["assigned_to"].queryset = users  # type: ignore[attr-defined]
        self.fields["code"].required = False
        if creating:
            self.fields["code"].help_text = _(
                "Leave blank to take the next code. A code that exists opens it."
            )
            del self.fields["created_at"]
            allowed = [
                (v, label)
                for v, label in Status.choices
                # Without the status permission, only statuses that allow no sales (or the default).
                if may_change_status or v in {Status.PROSPECT, Status.NOT_APPROVED}
            ]
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"),
                required=False,
                choices=[("", _("Default for new customers")), *allowed],
            )
            self.fields["categories"].initial = [Category.CUSTOMER]
        else:
            for name in STATUS:
                del self.fields[name]
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)
            if not may_change_code:
                self.fields["code"].disabled = True
                self.fields["code"].help_text = _("Your role may not change codes.")
            addresses = (
                Address.objects.filter(customer=customer, active=True) if customer else Address.objects.none()
            )
            self.fields["billing_address"] = forms.ModelChoiceField(
                label=_("Billing address override"),
                queryset=addresses.filter(billing=True),
                required=False,
                empty_label=_("The main address"),
            )
            self.fields["default_delivery_address"] = forms.ModelChoiceField(
                label=_("Default delivery address"),
                queryset=addresses.filter(delivery=True),
                required=False,
                empty_label=_("The main address"),
            )
        self.fields["assigned_to"].empty_label = _("Nobody")  # type: ignore[attr-defined]
        for name in ("subcontractor_status", "payment_method_in", "payment_method_out"):
            if name in self.fields:
                self.fields[name].choices = [("", "—"), *self.fields[name].choices[1:]]  # type: ignore[attr-defined]
        if "order_comment" in self.fields:
            self.fields["order_comment"].widget.attrs["rows"] = 2
        widen(self)
        # The fields the business adds (carnet.customfields), named custom_fields.<key>.
        self.custom_names = add_value_fields(
            self, "customer", None if creating or customer is None else customer.custom_fields
        )

    def groups(self) -> list[dict[str, Any]]:
        """Bound fields by group, for the template; empty groups are left out."""
        result = []
        for title, names in [*GROUPS, (GROUP_TITLE, self.custom_names)]:
            bound = [self[n] for n in names if n in self.fields]
            if not self.creating and title == GROUPS[0][0]:
                bound.append(self["created_at"])
            if bound:
                result.append(
                    {
                        "title": title,
                        "fields": bound,
                        "has_errors": any(b.errors for b in bound),
                        # A required field stays in sight: the browser cannot point at one in a shut group.
                        "open": any(b.field.required for b in bound),
                    }
                )
        return result

    def service_data(self) -> dict[str, Any]:
        """The cleaned values as the services take them (disabled fields are not changes)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "version" and not self.fields[k].disabled}
        if self.creating and not data.get("status"):
            data.pop("status", None)
        custom = pop_values(data)
        if custom is not None:
            data["custom_fields"] = custom
        return data

    @staticmethod
    def initial_for(customer: Customer) -> dict[str, Any]:
        initial = {
            name: getattr(customer, name)
            for name in [*_MODEL_FIELDS, "created_at", "version"]
            if hasattr(customer, name)
        }
        initial.update(
            categories=customer.categories,
            parent=customer.parent_id,
            bill_to=customer.bill_to_id,
            billing_address=customer.billing_address_id,
            assigned_to=customer.assigned_to_id,
            default_delivery_address=customer.default_delivery_address_id,
        )
        return initial


class AddressForm(forms.ModelForm):
    """An address; the country select reloads the province select for that country."""

    country = forms.ChoiceField(label=_("Country"))
    province = forms.ChoiceField(label=_("Province or state"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Address
        fields = [
            "label",
            "line1",
            "line2",
            "city",
            "country",
            "province",
            "postal_code",
            "billing",
            "delivery",
        ]

    def __init__(self, *args: Any, optional: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.instance.pk:
            book = BookSettings.load()
            self.initial.setdefault("country", book.default_country)
            self.initial.setdefault("province", book.default_province)
        country = (
            (self.data.get(self.add_prefix("country")) if self.is_bound else None)
            or self.initial.get("country")
            or self.instance.country
        )
        self.fields["country"].choices = country_choices(_language())  # type: ignore[attr-defined]
        self.fields["province"].choices = province_choices(country or "")  # type: ignore[attr-defined]
        self.fields["country"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("customer-provinces"),
                "hx-trigger": "change",
                "hx-target": f"#{self['province'].auto_id}-field",
                "hx-swap": "outerHTML",
                "hx-vals": f'{{"prefix": "{self.prefix or ""}"}}',
            }
        )
        self.fields["postal_code"].widget.attrs["autocomplete"] = "postal-code"
        widen(self)
        if optional:
            # The first address on the create page is optional: it is kept only when something is typed.
            for field in self.fields.values():
                field.required = False

    def _post_clean(self) -> None:
        # The services validate the address (and its customer); the form only parses.
        pass

    def has_content(self) -> bool:
        return any(
            (self.cleaned_data.get(f) or "").strip() for f in ("line1", "line2", "city", "postal_code")
        )

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ContactForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Contact
        fields = [
            "name",
            "role",
            "email",
            "phone",
            "mobile",
            "is_default",
            "is_billing",
            "invoice_copy",
            "active",
        ]

    def __init__(self, *args: Any, optional: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.custom_names = add_value_fields(
            self, "contact", self.instance.custom_fields if self.instance.pk else None
        )
        if optional:
            for field in self.fields.values():
                field.required = False

    def _post_clean(self) -> None:
        pass

    def has_content(self) -> bool:
        return any((self.cleaned_data.get(f) or "").strip() for f in ("name", "email", "phone", "mobile"))

    def custom_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.custom_names]

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        custom = pop_values(data)
        if custom is not None:
            data["custom_fields"] = custom
        return data


class NoteForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))
    pinned = forms.BooleanField(label=_("Pin to the memo"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Inactive categories are no longer offered; their notes keep them.
        choices: list[tuple[str, Any]] = [
            (c.code, c.label()) for c in NoteCategory.objects.filter(active=True)
        ]
        if NoteCategory.GENERAL not in {code for code, _label in choices}:
            # The services create the general category on first use.
            choices.insert(0, (NoteCategory.GENERAL, _("General")))
        self.fields["category"].choices = choices  # type: ignore[attr-defined]
        self.fields["category"].initial = NoteCategory.GENERAL


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        help_text=_("Required for warning, blocked and closed; shown wherever the customer is selected."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Why close it?"), max_length=300)


class ListFilterForm(forms.Form):
    """The list's query string. Invalid values are dropped rather than refused: it is a URL people share."""

    q = forms.CharField(required=False, label=_("Search"))
    status = forms.MultipleChoiceField(
        choices=Status.choices,
        required=False,
        label=_("Status"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "filter-input"}),
    )
    category = forms.ChoiceField(
        choices=[("", _("Any category")), *Category.choices], required=False, label=_("Category")
    )
    key_account = forms.ChoiceField(
        choices=[("", _("Key account: any")), ("yes", _("Key accounts only")), ("no", _("Not key accounts"))],
        required=False,
        label=_("Key account"),
    )
    assigned = forms.ChoiceField(
        choices=[("", _("Assigned to anyone")), ("me", _("Assigned to me"))],
        required=False,
        label=_("Assigned to"),
    )
    external_code = forms.CharField(required=False, label=_("External code"), max_length=30)
    closed = forms.BooleanField(required=False, label=_("Include closed"))
    sort = forms.CharField(required=False)
