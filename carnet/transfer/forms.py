"""The upload form of the Import / Export page: which kind of records, the CSV file, and the company."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carnet.accounts.models import Company
from carnet.errors import FileTooLarge

from . import uploads
from .kinds.base import Kind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"))
    file = forms.FileField(
        label=gettext_lazy("CSV file (UTF-8)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": gettext_lazy("Choose the CSV file to import."),
            "empty": gettext_lazy("The file is empty: the first line names the columns."),
        },
    )
    company = forms.ChoiceField(
        label=gettext_lazy("Company"),
        required=False,
        help_text=gettext_lazy("New customers' status; invoices and payments that name no company."),
    )

    def __init__(
        self, *args: Any, kinds: Sequence[Kind], companies: Sequence[Company], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(k.name, k.label) for k in kinds]
        kind_field.error_messages["invalid_choice"] = _(
            "Choose one of the kinds of records you may import: %(kinds)s."
        ) % {"kinds": ", ".join(k.name for k in kinds)}
        company_field = self.fields["company"]
        assert isinstance(company_field, forms.ChoiceField)
        company_field.choices = [("", _("My first company"))] + [
            (c.code, f"{c.code} · {c.name}") for c in companies
        ]
        self.file_help = _("Up to %(limit)s.") % {"limit": filesizeformat(uploads.MAX_BYTES)}
        self.fields["file"].help_text = self.file_help
        if len(companies) < 2:
            del self.fields["company"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            self.data_bytes = uploads.read_limited(upload, upload.size)
        except FileTooLarge as exc:
            raise ValidationError(exc.detail, code="too_large") from exc
        return upload

    @property
    def content(self) -> bytes:
        """The file's bytes, once the form is valid."""
        return self.data_bytes
