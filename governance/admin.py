"""Beheer of governance, to look things up. Appointments, decisions,
documents, meetings, registers and contracts are written through the
services (and the portal pages), which check the terms of office, keep
documents and decisions immutable and write the audit log; here they can
only be looked at. Document files are not offered here: they are
downloaded through the portal, which decides who may see them."""

from django.contrib import admin

from beware.common.admin import ReadOnlyAdmin
from beware.common.permissions import can

from . import selectors
from .models import (
    Body,
    ConflictOfInterest,
    Contract,
    Decision,
    Document,
    DocumentVersion,
    Mandate,
    Meeting,
    ObligationReminder,
    Person,
    QuarterlyReport,
    ReadReceipt,
    SideActivity,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MandateInline(ReadOnlyInline):
    model = Mandate
    fk_name = "body"
    fields = ["person", "functie", "termijn", "ingangsdatum", "einddatum", "beeindigd_op", "besluit"]
    readonly_fields = fields


@admin.register(Body)
class BodyAdmin(ReadOnlyAdmin):
    list_display = ["naam", "soort", "parent", "minimum", "maximum"]
    list_filter = ["soort"]
    list_select_related = ["parent"]
    inlines = [MandateInline]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["naam", "geboortedatum", "user"]
    list_select_related = ["user"]
    search_fields = ["naam", "user__email"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["kenmerk", "datum", "body", "onderwerp", "vastgelegd_door"]
    list_filter = ["body"]
    list_select_related = ["body", "vastgelegd_door"]
    search_fields = ["kenmerk", "onderwerp"]
    date_hierarchy = "datum"


@admin.register(Mandate)
class MandateAdmin(ReadOnlyAdmin):
    list_display = ["person", "body", "functie", "termijn", "ingangsdatum", "einddatum", "beeindigd_op"]
    list_filter = ["body", "functie"]
    list_select_related = ["person", "body"]
    search_fields = ["person__naam"]


class DocumentVersionInline(ReadOnlyInline):
    model = DocumentVersion
    fields = ["nummer", "bestandsnaam", "content_type", "grootte", "sha256", "geupload_door", "geupload_op"]
    readonly_fields = fields


class _ClosedDocumentsHidden:
    """The RvC's closed documents only for those who may see them in the
    portal, also here (a superuser holds every permission)."""

    document_path = "document__"

    def get_queryset(self, request):
        found = super().get_queryset(request)
        if can(request.user, selectors.MANAGE_CLOSED_RVC_DOCUMENTS):
            return found
        return found.exclude(**{f"{self.document_path}doelgroep": Document.Audience.RVC_BESLOTEN})


@admin.register(Document)
class DocumentAdmin(_ClosedDocumentsHidden, ReadOnlyAdmin):
    document_path = ""
    list_display = ["titel", "soort", "doelgroep", "status", "jaar", "kwartaal", "gedeeld_op", "aangemaakt_op"]
    list_filter = ["status", "soort", "doelgroep"]
    list_select_related = ["community"]
    search_fields = ["titel"]
    inlines = [DocumentVersionInline]


@admin.register(DocumentVersion)
class DocumentVersionAdmin(_ClosedDocumentsHidden, ReadOnlyAdmin):
    list_display = ["document", "nummer", "bestandsnaam", "grootte", "geupload_door", "geupload_op"]
    list_select_related = ["document", "geupload_door"]
    search_fields = ["document__titel", "bestandsnaam", "sha256"]
    exclude = ["bestand"]  # downloaded through the portal's permission check, never from here


@admin.register(ReadReceipt)
class ReadReceiptAdmin(ReadOnlyAdmin):
    list_display = ["document", "member", "user", "gelezen_op"]
    list_select_related = ["document", "member", "user"]
    search_fields = ["document__titel", "member__naam"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["titel", "body", "datum", "plaats", "met_accountant"]
    list_filter = ["body", "met_accountant"]
    list_select_related = ["body"]
    date_hierarchy = "datum"


@admin.register(ObligationReminder)
class ObligationReminderAdmin(ReadOnlyAdmin):
    list_display = ["sleutel", "ontvangers", "verstuurd_op"]
    search_fields = ["sleutel"]


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "jaar", "kwartaal", "document"]
    list_filter = ["jaar"]


@admin.register(SideActivity)
class SideActivityAdmin(ReadOnlyAdmin):
    list_display = ["person", "functie", "organisatie", "bezoldigd", "ingangsdatum", "einddatum", "gemeld_op"]
    list_select_related = ["person"]
    search_fields = ["person__naam", "organisatie"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ReadOnlyAdmin):
    list_display = ["person", "onderwerp", "contract", "meeting", "gemeld_op"]
    list_select_related = ["person", "contract", "meeting"]
    search_fields = ["person__naam", "onderwerp"]


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["omschrijving", "wederpartij", "bedrag", "status", "rvc_besluit", "getekend_op"]
    list_filter = ["status"]
    list_select_related = ["rvc_besluit"]
    search_fields = ["omschrijving", "wederpartij"]
