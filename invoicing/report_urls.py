"""Finance reports; included by invoicing/urls.py at facturen/rapportages/."""

from django.urls import path

from . import report_views

app_name = "reports"

urlpatterns = [
    path("", report_views.index, name="index"),
    path("contributie/", report_views.contribution, name="contributie"),
    path("debiteuren/", report_views.debtors, name="debiteuren"),
    path("communities/", report_views.communities, name="communities"),
    path("begroting/", report_views.budget_report, name="begroting"),
    path("begroting/invoeren/", report_views.budget_edit, name="begroting_invoeren"),
]
