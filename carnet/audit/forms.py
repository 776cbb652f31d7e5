"""The History tab's filters."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class HistoryFilterForm(forms.Form):
    """Field and user are chosen among those the customer's history holds; the period is in days."""

    field = forms.ChoiceField(label=_("Field"), required=False)
    user = forms.ChoiceField(label=_("User"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: Any, *, fields: list[tuple[str, str]], users: list[str], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["field"].choices = [("", _("Every field")), *fields]  # type: ignore[attr-defined]
        self.fields["user"].choices = [("", _("Everyone")), *((u, u) for u in users)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period comes before its start."))
        return cleaned
