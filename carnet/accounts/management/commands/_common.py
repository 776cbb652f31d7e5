"""What the account commands share: turning a service's refusal into a message that names the option."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from carnet.accounts.models import User
from carnet.accounts.services import get_user
from carnet.errors import CarnetError


@contextmanager
def refusals_as_errors(options: Mapping[str, str]) -> Iterator[None]:
    """Raise CommandError (exit status 1, message on stderr) for a ValidationError or a CarnetError, each
    field named by the command-line option that set it (`options` maps a field to its option)."""
    try:
        yield
    except ValidationError as exc:
        lines = []
        for field, messages in exc.message_dict.items():
            where = options.get(field, field)
            lines += [f"{where}: {message}" for message in messages]
        raise CommandError("\n".join(lines)) from exc
    except CarnetError as exc:
        raise CommandError(exc.detail) from exc


def user_named(username: str) -> User:
    with refusals_as_errors({}):
        return get_user(username=username)
