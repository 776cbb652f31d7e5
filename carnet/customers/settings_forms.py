"""Forms of the customer book's settings pages.

As elsewhere, forms only parse what a person typed; the rules live in the services (update_book_settings,
create_note_category, update_note_category), whose field errors the views put back beside the field.
"""

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .forms import country_choices, province_choices
from .models import BookSettings

CODE_FIELDS = ("code_prefix", "code_digits", "next_code_number")


class OpenChoiceField(forms.ChoiceField):
    """A select whose value the services check, so that a wrong one gets their message (which names the
    country), not a generic "not one of the available choices"."""

    def valid_value(self, value: Any) -> bool:
        return True


class BookSettingsForm(forms.Form):
    """The code generation settings and the defaults of new addresses.

    The code fields carry the value the page showed (show_hidden_initial): only those the person changed are
    sent, so that a page opened before other customers took numbers does not move the sequence back.
    """

    code_prefix = forms.CharField(
        label=_("Code prefix"),
        required=False,
        strip=True,
        show_hidden_initial=True,
        help_text=_("Letters and digits, or nothing."),
    )
    code_digits = forms.IntegerField(
        label=_("Number of digits"),
        show_hidden_initial=True,
        help_text=_("3 to 12; the number is padded with zeros."),
    )
    next_code_number = forms.IntegerField(
        label=_("Next number"),
        show_hidden_initial=True,
        help_text=_("Above every code already made of this prefix and digits."),
    )
    default_country = OpenChoiceField(label=_("Default country"))
    default_province = OpenChoiceField(label=_("Default province or state"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = (
            self.data.get(self.add_prefix("default_country")) if self.is_bound else None
        ) or self.initial.get("default_country", "")
        self.fields["default_country"].choices = country_choices((get_language() or "en")[:2])  # type: ignore[attr-defined]
        self.fields["default_province"].choices = province_choices(country)  # type: ignore[attr-defined]
        self.fields["default_province"].help_text = _(
            "Required where addresses of the country need one (Canada, United States…)."
        )
        for name in CODE_FIELDS:
            self.fields[name].widget.attrs["class"] = "code-setting"
        for name in ("code_digits", "next_code_number"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        self.fields["code_prefix"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["default_country"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("settings-provinces"),
                "hx-trigger": "change",
                "hx-target": f"#{self['default_province'].auto_id}-field",
                "hx-swap": "outerHTML",
            }
        )

    @staticmethod
    def initial_for(book: BookSettings) -> dict[str, Any]:
        return {
            "code_prefix": book.code_prefix,
            "code_digits": book.code_digits,
            "next_code_number": book.next_code_number,
            "default_country": book.default_country,
            "default_province": book.default_province,
        }

    def service_data(self) -> dict[str, Any]:
        """The changes for update_book_settings: the code settings the person changed, and the defaults
        of addresses as they are (the service leaves a value equal to the stored one alone)."""
        data = {name: self.cleaned_data[name] for name in CODE_FIELDS if name in self.changed_data}
        data["default_country"] = self.cleaned_data["default_country"]
        data["default_province"] = self.cleaned_data.get("default_province") or ""
        return data


class NoteCategoryForm(forms.Form):
    """A new note category: a code and its name in each language (one is enough)."""

    code = forms.CharField(
        label=_("Code"),
        required=False,
        help_text=_("Lower-case letters and digits, - or _ between words; it cannot change later."),
    )
    label_en = forms.CharField(label=_("Name in English"), required=False)
    label_fr = forms.CharField(label=_("Name in French"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class NoteCategoryRenameForm(forms.Form):
    label_en = forms.CharField(label=_("Name in English"), required=False)
    label_fr = forms.CharField(label=_("Name in French"), required=False)
