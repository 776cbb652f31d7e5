"""Forms of the documents' web UI: order entry and the other entry forms, filters and actions.

Forms only parse what a person typed; the rules (status, holds, the credit check, amounts, states) live in
the services (documents/services.py), whose field errors the views put back beside the matching field.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carnet.accounts.models import Company
from carnet.customers.choices import PaymentMethod


def _normalise_amount(value: str) -> str:
    """An amount as people type it (1 250,50 or 1,250.50 or 1250.5) in the form the services read: 1250.50.
    Validation itself is the service's (its message names the field)."""
    text = (value or "").strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in text and "." in text:
        text = text.replace(",", "")  # 1,250.50: commas group thousands
    elif "," in text:
        text = text.replace(",", ".")  # 1250,50: a decimal comma
    return text


class AmountField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "class": "amount"})

    def clean(self, value: Any) -> str:
        return _normalise_amount(super().clean(value))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class EntryForm(forms.Form):
    """What every entry form has: the customer (picked with the type-ahead), the company, the date, the
    amount and a reference."""

    customer = forms.IntegerField(
        label=_("Customer"), widget=forms.HiddenInput, error_messages={"required": _("Pick a customer.")}
    )
    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.none(), empty_label=None)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    amount = AmountField(label=_("Amount"))
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def __init__(self, *args: Any, companies: QuerySet[Company], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies  # type: ignore[attr-defined]
        # As the amount is typed, the credit check's dry run beside the form is refreshed.
        self.fields["amount"].widget.attrs.update(
            {
                "hx-get": reverse("entry-customer"),
                "hx-include": "#entry-form",
                "hx-vals": '{"part": "decision"}',
                "hx-target": "#decision",
                "hx-trigger": "input changed delay:250ms",
                "hx-sync": "this:replace",
            }
        )
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
            first = companies.first()
            if first is not None:
                self.initial.setdefault("company", first.pk)


class AcknowledgeMixin(forms.Form):
    """Going on past credit warnings: the reason is asked for once the warnings are shown."""

    override_reason = forms.CharField(
        label=_("Why go on past the warnings?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OrderForm(AcknowledgeMixin, EntryForm):
    pass


class QuoteForm(EntryForm):
    pass


class InvoiceForm(AcknowledgeMixin, EntryForm):
    amount = AmountField(
        label=_("Amount"),
        required=False,
        help_text=_("Leave it empty to take the sum of the lines, or the order's amount."),
    )
    post = forms.BooleanField(
        label=_("Post it now"),
        required=False,
        initial=True,
        help_text=_("Unticked, the invoice is kept as a draft, to post later."),
    )


class PaymentForm(EntryForm):
    method = forms.ChoiceField(
        label=_("Payment method"), choices=[("", "—"), *PaymentMethod.choices], required=False
    )


class CreditNoteForm(EntryForm):
    pass


class LineForm(forms.Form):
    product_code = forms.CharField(label=_("Product code"), max_length=50, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    quantity = forms.CharField(label=_("Quantity"), max_length=30, required=False)
    unit_price = AmountField(label=_("Unit price"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = str(field.label)

    def has_content(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return any((data.get(name) or "").strip() for name in self.fields)

    def service_data(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "product_code": data.get("product_code") or "",
            "description": data.get("description") or "",
            "quantity": _normalise_amount(data.get("quantity") or ""),
            "unit_price": data.get("unit_price") or "",
        }


LineFormSet = forms.formset_factory(LineForm, extra=3, max_num=1000)


class ShipmentForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    amount = AmountField(
        label=_("Amount"), required=False, help_text=_("Leave it empty to ship what is left of the order.")
    )
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class ReasonForm(forms.Form):
    """Release or reject an order on credit hold: say why."""

    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.TextInput())


class ChangeAmountForm(AcknowledgeMixin, forms.Form):
    amount = AmountField(label=_("New amount"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ConvertForm(AcknowledgeMixin, forms.Form):
    date = forms.DateField(label=_("Order date"), widget=DateInput(), required=False)


class ListFilterForm(forms.Form):
    customer = forms.CharField(label=_("Customer"), required=False)
    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.objects.none(), required=False, empty_label=_("All companies")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(
        self, *args: Any, companies: QuerySet[Company], statuses: list[tuple[str, Any]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("Any status")), *statuses]  # type: ignore[attr-defined]
