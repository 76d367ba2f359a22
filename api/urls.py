"""REST API v1, mounted at /api/v1/ (beware/urls.py)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import businesscases, communities, documents, members, problems, usage, views, voting

app_name = "api"

router = SimpleRouter()
router.register("facturen", views.FactuurViewSet, basename="factuur")
router.register("documenten", documents.DocumentViewSet, basename="document")
router.register("gemeenten", members.GemeenteViewSet, basename="gemeente")
router.register(r"gemeenten/(?P<code>[^/]+)/inwonertallen", members.InwonertalViewSet, basename="inwonertal")
router.register("leden", members.LidViewSet, basename="lid")
router.register("contributietarieven", members.ContributietariefViewSet, basename="contributietarief")
router.register("contributie", members.ContributieViewSet, basename="contributie")
router.register("communities", communities.CommunityViewSet, basename="community")
router.register(r"communities/(?P<slug>[^/]+)/deelnemers", communities.CommunityDeelnemerViewSet, basename="deelnemer")
router.register("businesscases", businesscases.BusinessCaseViewSet, basename="businesscase")
router.register("gebruik", usage.GebruikViewSet, basename="gebruik")
router.register("vergaderingen", voting.VergaderingViewSet, basename="vergadering")
router.register("stemmingen", voting.StemmingViewSet, basename="stemming")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from the sidecar's static files, its init script a file too (?script=): no inline script, so
    # the portal's Content-Security-Policy holds here as well. Public, like the schema (docs/decisions/0022).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html", template_name_js="api/swagger_ui.js"
        ),
        name="docs",
    ),
    *router.urls,
    # Last: any other path under /api/v1/ is a 404 problem, not an HTML page.
    re_path(r"^.*/$", problems.not_found),
]
