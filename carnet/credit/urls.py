"""The credit pages, under /credit/: the actions of the customer page's credit tabs and the settings."""

from django.urls import path

from . import review_views, views

urlpatterns = [
    path("customers/<int:pk>/limit/", views.set_limit, name="credit-set-limit"),
    path("customers/<int:pk>/criteria/", views.set_customer_criteria, name="credit-customer-criteria"),
    path(
        "customers/<int:pk>/criteria/clear/",
        views.clear_customer_criteria,
        name="credit-customer-criteria-clear",
    ),
    path("customers/<int:pk>/holds/new/", views.add_hold, name="credit-hold-add"),
    path("holds/<int:hold_id>/lift/", views.lift_hold, name="credit-hold-lift"),
    path("customers/<int:pk>/activity/<slug:kind>/", views.activity, name="credit-activity"),
    path("settings/", views.credit_settings, name="settings-credit"),
    path("reviews/", review_views.review_list, name="credit-review-list"),
    path("reviews/<int:pk>/", review_views.review_detail, name="credit-review-detail"),
    path("reviews/<int:pk>/apply/", review_views.review_apply, name="credit-review-apply"),
    path("reviews/<int:pk>/report.csv", review_views.review_csv, name="credit-review-csv"),
]
