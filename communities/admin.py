from django.contrib import admin

from beware.common.admin import ReadOnlyAdmin

from .models import Community, CommunityDocument, Coordinator, Participation


@admin.register(Community)
class CommunityAdmin(ReadOnlyAdmin):
    list_display = ["naam", "status", "domein", "trekker"]
    list_filter = ["status", "domein"]
    search_fields = ["naam", "slug"]


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ["community", "member", "status", "datum", "fase", "einddatum"]
    list_filter = ["status", "community"]
    search_fields = ["member__naam", "community__naam"]


admin.site.register(Coordinator, ReadOnlyAdmin)
admin.site.register(CommunityDocument, ReadOnlyAdmin)
