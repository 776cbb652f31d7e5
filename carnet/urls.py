from django.urls import include, path

from carnet.api import api

# A database that cannot be reached answers 503 even when a middleware, not a view, met the error.
handler500 = "carnet.web.middleware.server_error"

# The credit check is what other systems call for every order they take: its route is tried first, not
# after the hundred routes before it (Django tries them in order, one regular expression each).
HOT_API_ROUTES = {"credit_check"}
api_patterns, api_app_name, api_namespace = api.urls
api_patterns = sorted(api_patterns, key=lambda pattern: getattr(pattern, "name", None) not in HOT_API_ROUTES)

urlpatterns = [
    path("api/v1/", (api_patterns, api_app_name, api_namespace)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("carnet.web.urls")),
]
