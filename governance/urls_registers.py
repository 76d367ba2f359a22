"""URL patterns of the governance registers pages; governance/urls.py joins them."""

from django.urls import path

from . import views_registers as views

urlpatterns = [
    path("registers/nevenfuncties/", views.side_activity_list, name="side_activities"),
    path("registers/tegenstrijdige-belangen/", views.conflict_list, name="conflicts"),
    path("registers/contracten/", views.contract_list, name="contracts"),
    path("registers/contracten/<int:pk>/", views.contract_detail, name="contract"),
    path("registers/contracten/<int:pk>/goedkeuren/", views.contract_approve, name="contract_approve"),
    path("registers/contracten/<int:pk>/tekenen/", views.contract_sign, name="contract_sign"),
]
