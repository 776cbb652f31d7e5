from django.urls import path, register_converter

from . import views


class KindConverter:
    """The kinds of documents as they appear in URLs: quotes, orders, shipments, invoices, credit-notes,
    payments."""

    regex = "|".join(views.KINDS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KindConverter, "kind")

urlpatterns = [
    path("orders/new/", views.order_create, name="order-create"),
    path("quotes/new/", views.quote_create, name="quote-create"),
    path("invoices/new/", views.invoice_create, name="invoice-create"),
    path("credit-notes/new/", views.credit_note_create, name="credit-note-create"),
    path("payments/new/", views.payment_create, name="payment-create"),
    path("shipments/new/", views.shipment_create, name="shipment-create"),
    path("entry/customers/", views.entry_customer_search, name="entry-customer-search"),
    path("entry/customer/", views.entry_customer, name="entry-customer"),
    path("credit-queue/", views.credit_queue, name="credit-queue"),
    path("quotes/<int:pk>/convert/", views.quote_convert, name="quote-convert"),
    path("quotes/<int:pk>/cancel/", views.quote_cancel, name="quote-cancel"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order-cancel"),
    path("orders/<int:pk>/reopen/", views.order_reopen, name="order-reopen"),
    path("orders/<int:pk>/amount/", views.order_amount, name="order-amount"),
    path("orders/<int:pk>/release/", views.order_release, name="order-release"),
    path("orders/<int:pk>/reject/", views.order_reject, name="order-reject"),
    path("invoices/<int:pk>/post/", views.invoice_post, name="invoice-post"),
    path("<kind:kind>/<int:pk>/allocate/", views.document_allocate, name="document-allocate"),
    path("<kind:kind>/", views.document_list, name="document-list"),
    path("<kind:kind>/<int:pk>/", views.document_detail, name="document-detail"),
]
