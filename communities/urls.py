from django.urls import path

from . import views

app_name = "communities"
urlpatterns = [
    path("communities/", views.community_list, name="list"),
    path("communities/nieuw/", views.community_new, name="new"),
    path("communities/<slug:slug>/", views.community_detail, name="detail"),
    path("communities/<slug:slug>/bewerken/", views.community_edit, name="edit"),
    path("communities/<slug:slug>/deelnemen/", views.join, name="join"),
    path("communities/<slug:slug>/deelnemers/", views.participant_add, name="participant_add"),
    path("communities/<slug:slug>/deelnames/<int:pk>/accepteren/", views.participation_accept, name="accept"),
    path("communities/<slug:slug>/deelnames/<int:pk>/afwijzen/", views.participation_reject, name="reject"),
    path("communities/<slug:slug>/deelnames/<int:pk>/vertrek/", views.participation_end, name="end"),
    path("communities/<slug:slug>/coordinatoren/", views.coordinator_add, name="coordinator_add"),
    path(
        "communities/<slug:slug>/coordinatoren/<int:pk>/verwijderen/",
        views.coordinator_remove,
        name="coordinator_remove",
    ),
    path("communities/<slug:slug>/documenten/", views.document_add, name="document_add"),
    path("communities/<slug:slug>/documenten/<int:pk>/", views.document_download, name="document"),
    path(
        "communities/<slug:slug>/applicatiesleutels/", views.application_token_create, name="application_token_create"
    ),
    path(
        "communities/<slug:slug>/applicatiesleutels/<int:pk>/intrekken/",
        views.application_token_revoke,
        name="application_token_revoke",
    ),
]
