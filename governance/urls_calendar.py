"""URL patterns of the governance calendar pages; governance/urls.py joins them."""

from django.urls import path

from . import views_calendar as views

urlpatterns = [
    path("kalender/", views.dashboard, name="dashboard"),
    path("vergaderingen/", views.meetings, name="meetings"),
    path("kwartaalrapportages/", views.quarterly_list, name="quarterly_list"),
    path("kwartaalrapportage/<int:jaar>/<int:kwartaal>/", views.quarterly_report, name="quarterly"),
]
