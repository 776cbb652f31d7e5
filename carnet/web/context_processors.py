from typing import Any

from django.http import HttpRequest

from carnet.accounts.permissions import can
from carnet.accounts.roles import Action


def carnet(request: HttpRequest) -> dict[str, Any]:
    """What every page needs: the actions the signed-in user may take (to show only usable buttons)."""
    user = getattr(request, "user", None)
    return {"may": {a.name.lower(): can(user, a.value) for a in Action}}  # type: ignore[arg-type]
