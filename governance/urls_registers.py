"""URL patterns of the governance registers pages; governance/urls.py joins them."""

urlpatterns = []
