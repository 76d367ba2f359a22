"""URL patterns of the governance documents pages; governance/urls.py joins them."""

urlpatterns = []
