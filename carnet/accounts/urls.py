from django.urls import path

from . import views

urlpatterns = [
    path("tokens/", views.tokens, name="account-tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke, name="account-token-revoke"),
]
