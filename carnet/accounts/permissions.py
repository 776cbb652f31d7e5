"""Permission checks shared by the UI, the API and the command line."""

from django.core.exceptions import PermissionDenied

from .models import User
from .roles import role_allows


def can(user: User | None, action: str) -> bool:
    """True when an active, signed-in user's role allows the action."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return role_allows(user.role, action)


def require(user: User | None, action: str) -> None:
    """Raise PermissionDenied unless the user may perform the action."""
    if not can(user, action):
        raise PermissionDenied(f"Your role may not do this ({action}).")
