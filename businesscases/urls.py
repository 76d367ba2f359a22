from django.urls import path

from . import views

app_name = "businesscases"
urlpatterns = [
    path("businesscases/<int:pk>/", views.businesscase_detail, name="detail"),
    path("communities/<slug:slug>/businesscases/nieuw/", views.businesscase_new, name="new"),
    path("businesscases/<int:pk>/bewerken/", views.businesscase_edit, name="edit"),
    path("businesscases/<int:pk>/kosten/", views.cost_line_add, name="cost_line_add"),
    path(
        "businesscases/<int:pk>/kosten/<int:line_pk>/verwijderen/",
        views.cost_line_remove,
        name="cost_line_remove",
    ),
    path("businesscases/<int:pk>/percentages/", views.percentages_set, name="percentages"),
    path("businesscases/<int:pk>/aanbieden/", views.businesscase_submit, name="submit"),
    path("businesscases/<int:pk>/terug-naar-concept/", views.businesscase_reopen, name="reopen"),
    path("businesscases/<int:pk>/besluit/", views.businesscase_decide, name="decide"),
    path("businesscases/<int:pk>/jaarverdeling/", views.yearly_allocation_store, name="yearly"),
]
