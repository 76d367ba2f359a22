"""URL patterns of the governance documents pages; governance/urls.py joins them."""

from django.urls import path

from . import views_documents as views

urlpatterns = [
    path("documenten/", views.document_list, name="documents"),
    path("documenten/nieuw/", views.document_new, name="document_new"),
    path("documenten/<int:pk>/", views.document_detail, name="document"),
    path("documenten/<int:pk>/versies/<int:nummer>/", views.document_download, name="document_download"),
    path("documenten/<int:pk>/versies/nieuw/", views.document_version, name="document_version"),
    path("documenten/<int:pk>/vaststellen/", views.document_adopt, name="document_adopt"),
    path("documenten/<int:pk>/delen/", views.document_share, name="document_share"),
]
