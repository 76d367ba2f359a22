"""The user's own account pages beside allauth's, under /accounts/ (beware/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("api-sleutels/", views.api_tokens, name="api_tokens"),
    path("api-sleutels/<int:pk>/intrekken/", views.api_token_revoke, name="api_token_revoke"),
]
