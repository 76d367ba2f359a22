"""URL patterns of the meeting and voting pages; governance/urls.py joins them."""

from django.urls import path

from . import views_meetings as views

urlpatterns = [
    path("vergaderingen/<int:pk>/", views.meeting_detail, name="meeting"),
    path("vergaderingen/<int:pk>/oproep/", views.meeting_convene, name="meeting_convene"),
    path("vergaderingen/<int:pk>/aanwezig/", views.meeting_check_in, name="meeting_check_in"),
    path("vergaderingen/<int:pk>/ik-ben-aanwezig/", views.meeting_self_check_in, name="meeting_self_check_in"),
    path("vergaderingen/<int:pk>/belang/", views.meeting_conflict, name="meeting_conflict"),
    path("vergaderingen/<int:pk>/agendapunten/nieuw/", views.agenda_item_add, name="agenda_item_add"),
    path("agendapunten/<int:pk>/verslag/", views.agenda_item_minutes, name="agenda_item_minutes"),
    path("vergaderingen/<int:pk>/volmacht/", views.proxy_grant, name="proxy_grant"),
    path("vergaderingen/<int:pk>/verslag.pdf", views.meeting_minutes_pdf, name="meeting_minutes_pdf"),
    path("vergaderingen/<int:pk>/export.csv", views.meeting_export_csv, name="meeting_export_csv"),
    path("volmachten/<int:pk>/beoordelen/", views.proxy_decide, name="proxy_decide"),
    path("volmachten/<int:pk>/intrekken/", views.proxy_revoke, name="proxy_revoke"),
    path("volmachten/<int:pk>/bestand/", views.proxy_file, name="proxy_file"),
    path("agendapunten/<int:pk>/stemming/nieuw/", views.poll_new, name="poll_new"),
    path("stemmingen/<int:pk>/", views.poll_detail, name="poll"),
    path("stemmingen/<int:pk>/voortgang/", views.poll_progress, name="poll_progress"),
    path("stemmingen/<int:pk>/openen/", views.poll_open, name="poll_open"),
    path("stemmingen/<int:pk>/sluiten/", views.poll_close, name="poll_close"),
    path("stemmingen/<int:pk>/belang/", views.poll_conflict, name="poll_conflict"),
    path("stemmingen/<int:pk>/stem/<int:voter_pk>/", views.poll_vote, name="poll_vote"),
    path("besluiten-buiten-vergadering/", views.written_list, name="written_list"),
    path("besluiten-buiten-vergadering/nieuw/", views.written_new, name="written_new"),
    path("auditlog/controle/", views.audit_verify, name="audit_verify"),
]
