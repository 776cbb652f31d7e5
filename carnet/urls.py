from django.db import transaction
from django.urls import URLPattern, include, path

from carnet.api import api

# A database that cannot be reached answers 503 even when a middleware, not a view, met the error.
handler500 = "carnet.web.middleware.server_error"

# The credit check is what other systems call for every order they take: its route is tried first, not
# after the hundred routes before it (Django tries them in order, one regular expression each).
HOT_API_ROUTES = {"credit_check"}
# Routes that only read, and so need no request transaction (every other request is one: see
# ATOMIC_REQUESTS). The credit check's dry run is one statement, consistent by itself, plus the token's
# last use, recorded at most once a minute; without the transaction's BEGIN and COMMIT it costs the
# database two round trips fewer, on the API's most frequent request.
READ_ONLY_API_ROUTES = {"credit_check"}

api_patterns, api_app_name, api_namespace = api.urls
api_patterns = sorted(api_patterns, key=lambda pattern: getattr(pattern, "name", None) not in HOT_API_ROUTES)
for pattern in api_patterns:
    if isinstance(pattern, URLPattern) and pattern.name in READ_ONLY_API_ROUTES:
        pattern.callback = transaction.non_atomic_requests(pattern.callback)

urlpatterns = [
    path("api/v1/", (api_patterns, api_app_name, api_namespace)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("carnet.web.urls")),
]
