from django.urls import include, path

from carnet.api import api

# A database that cannot be reached answers 503 even when a middleware, not a view, met the error.
handler500 = "carnet.web.middleware.server_error"

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("carnet.web.urls")),
]
