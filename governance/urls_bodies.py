"""URL patterns of the governance bodies pages; governance/urls.py joins them."""

from django.urls import path

from . import views_bodies as views

urlpatterns = [
    path("organen/", views.body_list, name="bodies"),
    path("organen/<slug:slug>/", views.body_detail, name="body"),
    path("organen/<slug:slug>/benoemen/", views.appoint, name="appoint"),
    path("mandaten/<int:pk>/beeindigen/", views.mandate_end, name="mandate_end"),
    path("mandaten/<int:pk>/functie/", views.mandate_change_function, name="mandate_change_function"),
    path("personen/<int:pk>/bewerken/", views.person_edit, name="person_edit"),
    path("besluiten/", views.decision_list, name="decisions"),
]
