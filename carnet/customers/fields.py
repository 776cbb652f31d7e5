"""Model fields of the customer book."""

from django.db import models

from .validators import validate_email_address


class EmailAddressField(models.EmailField):  # type: ignore[type-arg]
    """An email address, checked by Django's rule (see EmailAddressValidator)."""

    default_validators = [validate_email_address]
