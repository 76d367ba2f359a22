from django.urls import include, path

from . import views
from .usage_views import exit_charge, usage, usage_bill, usage_count, usage_import

app_name = "invoicing"
urlpatterns = [
    path("", views.invoice_list, name="list"),
    path("mijn/", views.my_invoices, name="mine"),
    path("<int:pk>/", views.invoice_detail, name="detail"),
    path("<int:pk>/pdf/", views.invoice_pdf, name="pdf"),
    path("<int:pk>/ubl/", views.invoice_ubl, name="ubl"),
    path("<int:pk>/definitief/", views.invoice_finalise, name="finalise"),
    path("<int:pk>/verwijderen/", views.invoice_delete, name="delete"),
    path("<int:pk>/betalingen/", views.payment_register, name="payment"),
    path("<int:pk>/creditnota/", views.credit_note_create, name="credit_note"),
    path("contributie/", views.contribution, name="contribution"),
    path("contributie/run/", views.batch_start, name="batch_start"),
    path("runs/<int:pk>/", views.batch_detail, name="batch"),
    path("runs/<int:pk>/voortgang/", views.batch_progress, name="batch_progress"),
    path("rapportages/", include("invoicing.report_urls")),
    path("gebruik/", usage, name="usage"),
    path("gebruik/opgave/", usage_count, name="usage_count"),
    path("gebruik/import/", usage_import, name="usage_import"),
    path("gebruik/factureren/", usage_bill, name="usage_bill"),
    path("uittreding/", exit_charge, name="exit_charge"),
]
