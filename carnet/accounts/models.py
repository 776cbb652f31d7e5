import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carnet.db import fetch_one_prepared

from .roles import Role

MAIN_COMPANY_CODE = "MAIN"


class Company(models.Model):
    """A company of the installation. Companies share the customer book; credit data is per company."""

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9_-]+$", _("Use capital letters, digits, - and _ only."))],
    )
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, default="CAD")
    new_customer_status = models.CharField(
        _("status of new customers"),
        max_length=20,
        choices=[("prospect", _("Prospect")), ("approved", _("Approved"))],
        default="prospect",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    companies = models.ManyToManyField(Company, blank=True, related_name="users", verbose_name=_("companies"))
    language = models.CharField(
        _("language"), max_length=5, blank=True, choices=settings.LANGUAGES, default=""
    )

    def visible_companies(self) -> models.QuerySet[Company]:
        """An admin sees every company; everyone else the companies they belong to."""
        if self.role == Role.ADMIN:
            return Company.objects.all()
        return self.companies.all()


LAST_USE_PRECISION = timedelta(minutes=1)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> "ApiTokenQuerySet":
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A named API token. Only a hash is kept: the token itself is shown once, when it is made."""

    PREFIX = "carnet_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False, help_text="The first characters, to recognise it.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, *, user: User, name: str, expires_at: datetime | None = None) -> tuple["ApiToken", str]:
        """Create a token and return it with its secret value, which is not stored anywhere."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=_hash_token(raw), hint=raw[:12], expires_at=expires_at
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> "ApiToken | None":
        """The usable token of this value (as ApiToken.objects.usable()), with its user; None if there is
        none. One hand-written statement, as every API request makes it: the ORM took longer to build it
        than the database to answer."""
        token = _read_usable_token(_hash_token(raw))
        if token is not None:
            now = timezone.now()
            # Recording every use would turn each read into a write; once a minute is enough to audit.
            if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
                token.record_use(now)
        return token

    def record_use(self, now: datetime) -> None:
        """Set last_used_at, unless a concurrent request holds the row: that one is recording a use of the
        same minute, and waiting for its transaction to end would hold this request up for nothing."""
        free = ApiToken.objects.filter(pk=self.pk).select_for_update(skip_locked=True).values("pk")
        with transaction.atomic(savepoint=False):  # a lock needs a transaction; a request has one already
            ApiToken.objects.filter(pk__in=free).update(last_used_at=now)
        self.last_used_at = now


# The statement of _read_usable_token and, for each column, its Col and the ORM's converters; by vendor.
_TOKEN_SQL: dict[str, tuple[str, list[tuple[Any, list[Any]]]]] = {}


def _token_sql() -> tuple[str, list[tuple[Any, list[Any]]]]:
    if connection.vendor not in _TOKEN_SQL:
        q = connection.ops.quote_name
        selected = [("t", f) for f in ApiToken._meta.concrete_fields] + [
            ("u", f) for f in User._meta.concrete_fields
        ]
        converters = []
        for alias, field in selected:
            column = field.get_col(alias)
            converters.append(
                (column, connection.ops.get_db_converters(column) + column.get_db_converters(connection))
            )

        def col(model: Any, name: str) -> str:
            return q(model._meta.get_field(name).column)

        expires_at = col(ApiToken, "expires_at")
        sql = (
            "SELECT "
            + ", ".join(f"{alias}.{q(str(field.column))}" for alias, field in selected)
            + f" FROM {q(ApiToken._meta.db_table)} t INNER JOIN {q(User._meta.db_table)} u"
            f" ON u.{col(User, 'id')} = t.{col(ApiToken, 'user')}"
            f" WHERE t.{col(ApiToken, 'key_hash')} = %s"
            f" AND t.{col(ApiToken, 'revoked_at')} IS NULL"
            f" AND u.{col(User, 'is_active')} = %s"
            f" AND (t.{expires_at} IS NULL OR t.{expires_at} > %s)"
        )
        _TOKEN_SQL[connection.vendor] = sql, converters
    return _TOKEN_SQL[connection.vendor]


def _read_usable_token(key_hash: str) -> ApiToken | None:
    """ApiToken.objects.usable().select_related("user").filter(key_hash=key_hash).first(), written by hand."""
    sql, converters = _token_sql()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    row = fetch_one_prepared(sql, [key_hash, True, now])  # key_hash is unique: one row at most
    if row is None:
        return None
    values = list(row)
    for i, (column, column_converters) in enumerate(converters):
        for convert in column_converters:
            values[i] = convert(values[i], column, connection)
    n = len(ApiToken._meta.concrete_fields)
    token = ApiToken.from_db(
        connection.alias, [f.attname for f in ApiToken._meta.concrete_fields], values[:n]
    )
    token.user = User.from_db(connection.alias, [f.attname for f in User._meta.concrete_fields], values[n:])
    return token
