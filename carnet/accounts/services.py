"""Business operations on users and API tokens. The command line calls these; the UI and the API can too.

Each function takes keyword-only arguments, runs in one transaction and validates everything before writing:
a refused call raises ValidationError (by field) or a CarnetError and saves nothing. `actor` is the user
asking (None is the installation itself: the command line, demo data); an actor needs the permission to
manage users, except for managing their own tokens.
"""

import secrets
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.errors import Conflict, NotFound

from .models import MAIN_COMPANY_CODE, ApiToken, Company, User
from .permissions import can, require
from .roles import Action, Role

MAX_TOKEN_DAYS = 3650
# A token made without saying how long it lasts stops working after this many days: a forgotten token
# should not stay a way in for ever. "Never" has to be asked for.
DEFAULT_TOKEN_DAYS = 90


def generate_password() -> str:
    """A random password of about 96 bits, readable enough to copy from a terminal."""
    return secrets.token_urlsafe(12)


def _require_manage_users(actor: User | None) -> None:
    if actor is not None:
        require(actor, Action.MANAGE_USERS)


def _check_role(role: str) -> str:
    if role not in Role.values:
        raise ValidationError(
            {
                "role": _("Unknown role %(role)s; use one of: %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values)}
            }
        )
    return role


def _companies(codes: Iterable[str] | None) -> list[Company]:
    """The companies named by their codes (none given: MAIN). Every unknown code is named in the error."""
    wanted = [c.strip().upper() for c in codes or [] if c.strip()] or [MAIN_COMPANY_CODE]
    found = {c.code: c for c in Company.objects.filter(code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        known = ", ".join(Company.objects.values_list("code", flat=True)) or _("none")
        raise ValidationError(
            {
                "companies": _("Unknown company %(codes)s; the companies are: %(known)s.")
                % {"codes": ", ".join(unknown), "known": known}
            }
        )
    return [found[c] for c in dict.fromkeys(wanted)]


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def get_user(*, username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(_("No user is named %(name)s.") % {"name": username})
    return user


def check_new_password(*, password: str, username: str = "", email: str = "") -> None:
    """Raise ValidationError (field password) unless the password passes the installation's validators."""
    _check_password(password, User(username=username, email=email))


def _new_user(
    *, username: str, role: str, company_codes: Sequence[str] | None, email: str
) -> tuple[User, list[Company], dict[str, list[str]]]:
    username = username.strip()
    errors: dict[str, list[str]] = {}
    user = User(username=username, email=(email or "").strip().lower(), role=role)
    try:
        user.full_clean(exclude=["password", "role"], validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    companies: list[Company] = []
    try:
        _check_role(role)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        companies = _companies(company_codes)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not errors and User.objects.filter(username=username).exists():
        raise Conflict(_("A user named %(name)s already exists.") % {"name": username})
    return user, companies, errors


def check_new_user(
    *, username: str, role: str, company_codes: Sequence[str] | None = None, email: str = ""
) -> None:
    """Raise what create_user would for these fields, before a password is asked for."""
    _user, _companies_found, errors = _new_user(
        username=username, role=role, company_codes=company_codes, email=email
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_user(
    *,
    actor: User | None,
    username: str,
    role: str,
    company_codes: Sequence[str] | None = None,
    password: str,
    email: str = "",
) -> User:
    """Create a user with a role and companies (none given: MAIN). A taken name is a Conflict."""
    _require_manage_users(actor)
    user, companies, errors = _new_user(
        username=username, role=role, company_codes=company_codes, email=email
    )
    try:
        _check_password(password, user)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    user.companies.set(companies)
    return user


@transaction.atomic
def update_user(
    *,
    actor: User | None,
    username: str,
    role: str | None = None,
    company_codes: Sequence[str] | None = None,
    password: str | None = None,
    email: str | None = None,
) -> User:
    """Change what is given (role, companies, password, email) of an existing user; the rest stays."""
    _require_manage_users(actor)
    user = User.objects.select_for_update().filter(username=username.strip()).first()
    if user is None:
        raise NotFound(_("No user is named %(name)s.") % {"name": username})
    errors: dict[str, list[str]] = {}
    companies: list[Company] | None = None
    if role is not None:
        try:
            user.role = _check_role(role)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if company_codes:
        try:
            companies = _companies(company_codes)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if email is not None:
        user.email = email.strip().lower()
        try:
            user.full_clean(exclude=["password", "role"], validate_unique=False)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if password is not None:
        try:
            _check_password(password, user)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if password is not None:
        user.set_password(password)
    user.save()
    if companies is not None:
        user.companies.set(companies)
    return user


# --- API tokens ----------------------------------------------------------------------------------


def _require_token_owner(actor: User | None, user: User) -> None:
    # Anyone may manage their own tokens; another user's tokens are an administrator's business.
    if actor is not None and actor.pk != user.pk:
        require(actor, Action.MANAGE_USERS)


@transaction.atomic
def issue_token(
    *, actor: User | None, user: User, name: str, expires_days: int | None = DEFAULT_TOKEN_DAYS
) -> tuple[ApiToken, str]:
    """Make a token for the user and return it with its secret value, which is shown once and never stored.
    It stops working after `expires_days` days; None makes a token that never expires."""
    _require_token_owner(actor, user)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the token a name, so that you can tell it from the others.")
    elif len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        errors["name"] = _("A token name has at most 100 characters.")
    if expires_days is not None and not 1 <= expires_days <= MAX_TOKEN_DAYS:
        errors["expires_days"] = _("A token expires after 1 to %(max)d days.") % {"max": MAX_TOKEN_DAYS}
    if not user.is_active:
        errors["user"] = _("%(name)s is inactive; an inactive user's tokens do not work.") % {
            "name": user.username
        }
    if errors:
        raise ValidationError(errors)
    expires_at = timezone.now() + timedelta(days=expires_days) if expires_days is not None else None
    return ApiToken.issue(user=user, name=name, expires_at=expires_at)


def list_tokens(*, actor: User | None, user: User) -> QuerySet[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included."""
    _require_token_owner(actor, user)
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


@transaction.atomic
def revoke_tokens(*, actor: User | None, user: User, name_or_hint: str) -> list[ApiToken]:
    """Revoke the user's unrevoked tokens with that name, or the one whose hint (its first characters, as
    `tokens` lists them) is that. Answers the tokens revoked; none matching is NotFound."""
    _require_token_owner(actor, user)
    wanted = (name_or_hint or "").strip().rstrip("…").rstrip(".")
    open_tokens = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    matched = list(open_tokens.filter(Q(name=wanted) | Q(hint=wanted)))
    if not matched and len(wanted) >= len(ApiToken.PREFIX) + 2:
        # The hint typed shorter than it is shown, or the whole token pasted: match on its start.
        matched = [t for t in open_tokens if wanted.startswith(t.hint) or t.hint.startswith(wanted)]
        if len(matched) > 1:
            raise Conflict(
                _("%(text)s matches %(n)d tokens; give the whole hint or the token's name.")
                % {"text": wanted, "n": len(matched)}
            )
    if not matched:
        raise NotFound(
            _("%(name)s has no unrevoked token named %(text)s or whose hint is %(text)s.")
            % {"name": user.username, "text": wanted}
        )
    now = timezone.now()
    ApiToken.objects.filter(pk__in=[t.pk for t in matched]).update(revoked_at=now)
    for token in matched:
        token.revoked_at = now
    return matched


@transaction.atomic
def revoke_token(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one token by its id: the actor's own, or anyone's for an administrator. Another user's token
    is NotFound for everyone else, as if it did not exist. Revoking a revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().select_related("user").filter(pk=token_id).first()
    if token is None or (token.user_id != actor.pk and not can(actor, Action.MANAGE_USERS)):
        raise NotFound(_("No token has the id %(id)s.") % {"id": token_id})
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_state(token: ApiToken) -> str:
    """usable, expired or revoked: what `tokens` shows and what authentication will do with it."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return "expired"
    return "usable"
