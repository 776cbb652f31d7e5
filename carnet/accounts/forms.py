from django import forms
from django.utils.translation import gettext_lazy as _

from . import services

# What the page offers; the API and `carnet token` take any number of days from 1 to MAX_TOKEN_DAYS.
LIFETIMES = [
    ("30", _("30 days")),
    (str(services.DEFAULT_TOKEN_DAYS), _("90 days")),
    ("365", _("1 year")),
    ("never", _("Never expires")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. erp-sync."),
    )
    lifetime = forms.ChoiceField(
        label=_("Expires after"), choices=LIFETIMES, initial=str(services.DEFAULT_TOKEN_DAYS)
    )

    def expires_days(self) -> int | None:
        lifetime = self.cleaned_data["lifetime"]
        return None if lifetime == "never" else int(lifetime)
