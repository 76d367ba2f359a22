"""URL patterns of the governance calendar pages; governance/urls.py joins them."""

urlpatterns = []
