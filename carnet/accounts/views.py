"""The "My tokens" page: every signed-in user lists, makes and revokes their own API tokens.

A new token is shown in the answer to the form that made it, and never again (only its hash is kept), so
that answer is not cached and is not a redirect that would have to carry the secret along.
"""

from math import ceil
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from carnet.errors import NotFound

from . import services
from .forms import TokenForm
from .models import ApiToken, User


def _tokens_page(
    request: HttpRequest, *, form: TokenForm | None = None, new: tuple[ApiToken, str] | None = None
) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    tokens = [(token, services.token_state(token)) for token in services.list_tokens(actor=actor, user=actor)]
    context = {
        "form": form or TokenForm(),
        "tokens": tokens,
        "new_token": new[0] if new else None,
        "new_secret": new[1] if new else None,
    }
    return render(request, "accounts/tokens.html", context, status=422 if form and form.errors else 200)


@login_required
@never_cache
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _tokens_page(request)
    actor: User = request.user  # type: ignore[assignment]
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            new = services.issue_token(
                actor=actor, user=actor, name=form.cleaned_data["name"], expires_days=form.expires_days()
            )
        except ValidationError as exc:
            for field, field_messages in exc.message_dict.items():
                for message in field_messages:
                    where = "lifetime" if field == "expires_days" else field
                    form.add_error(where if where in form.fields else None, message)
        else:
            return _tokens_page(request, new=new)
    return _tokens_page(request, form=form)


@login_required
@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    try:
        token = services.revoke_token(actor=actor, token_id=token_id)
    except NotFound as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Token %(name)s revoked: it no longer works.") % {"name": token.name})
    return redirect("account-tokens")


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """What django-axes answers to a sign-in from a locked-out user name and address (429)."""
    seconds = settings.AXES_COOLOFF_TIME.total_seconds()
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "lockout_minutes": ceil(seconds / 60)}
    response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(seconds))
    return response
