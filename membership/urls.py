from django.urls import path

from . import views

app_name = "membership"
urlpatterns = [
    path("leden/", views.member_list, name="list"),
    path("leden/<int:pk>/", views.member_detail, name="detail"),
    path("leden/<int:pk>/organisatie/", views.member_organisation, name="organisation"),
    path("leden/<int:pk>/organisatie/contacten/", views.contact_add, name="contact_add"),
    path(
        "leden/<int:pk>/organisatie/contacten/<int:contact_pk>/verwijderen/",
        views.contact_remove,
        name="contact_remove",
    ),
    path("leden/<int:pk>/organisatie/factuurkenmerk/", views.factuurkenmerk_set, name="factuurkenmerk"),
    path("leden/<int:pk>/uitnodigen/", views.member_invite, name="invite"),
    path("leden/<int:pk>/rollen/<int:role_pk>/intrekken/", views.member_role_revoke, name="role_revoke"),
    path("leden/<int:pk>/overeenkomst.pdf", views.agreement_pdf, name="agreement"),
    path("leden/<int:pk>/stap/<slug:step>/", views.member_step, name="step"),
    path("leden/<int:pk>/gemeenten/", views.representation_add, name="representation_add"),
    path(
        "leden/<int:pk>/gemeenten/<int:representation_pk>/beeindigen/",
        views.representation_end,
        name="representation_end",
    ),
    path("mijn-organisatie/", views.my_organisation, name="my_organisation"),
    path("toelating/", views.admission_queue, name="queue"),
    path("toelating/nieuw/", views.member_new, name="new"),
    path("inwonertallen/importeren/", views.inwoner_import, name="import"),
]
