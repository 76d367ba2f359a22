"""REST API v1, mounted at /api/v1/ (beware/urls.py)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import documents, problems, views

app_name = "api"

router = SimpleRouter()
router.register("facturen", views.FactuurViewSet, basename="factuur")
router.register("documenten", documents.DocumentViewSet, basename="document")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    *router.urls,
    # Last: any other path under /api/v1/ is a 404 problem, not an HTML page.
    re_path(r"^.*/$", problems.not_found),
]
