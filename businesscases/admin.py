from django.contrib import admin

from beware.common.admin import ReadOnlyAdmin

from .models import BusinessCase, Settlement, Share, YearlyAllocation


@admin.register(BusinessCase)
class BusinessCaseAdmin(ReadOnlyAdmin):
    list_display = ["titel", "community", "status", "verdeelsleutel", "peildatum", "besluitdatum"]
    list_filter = ["status", "verdeelsleutel"]
    search_fields = ["titel", "community__naam"]


@admin.register(Share)
class ShareAdmin(ReadOnlyAdmin):
    list_display = ["business_case", "member", "bron", "gewicht", "bedrag", "datum"]
    list_filter = ["bron"]


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ["business_case", "member", "datum", "waarde", "bedrag"]


admin.site.register(YearlyAllocation, ReadOnlyAdmin)
