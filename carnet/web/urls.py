from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="customer-list", permanent=False), name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("carnet.accounts.urls")),
    path("customers/", include("carnet.customers.urls")),
    path("documents/", include("carnet.documents.urls")),
    path("settings/custom-fields/", include("carnet.customfields.urls")),
    path("settings/", include("carnet.customers.settings_urls")),
    path("credit/", include("carnet.credit.urls")),
    path("integrations/", include("carnet.integrations.urls")),
    path("events/", include("carnet.events.urls")),
    path("transfer/", include("carnet.transfer.urls")),
]
