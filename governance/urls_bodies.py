"""URL patterns of the governance bodies pages; governance/urls.py joins them."""

urlpatterns = []
