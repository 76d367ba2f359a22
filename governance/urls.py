"""Governance pages under /governance/, one namespace; each group of pages
keeps its own patterns beside its views."""

from . import urls_bodies, urls_calendar, urls_documents, urls_meetings, urls_registers

app_name = "governance"
urlpatterns = [
    *urls_bodies.urlpatterns,
    *urls_registers.urlpatterns,
    *urls_documents.urlpatterns,
    *urls_calendar.urlpatterns,
    *urls_meetings.urlpatterns,
]
