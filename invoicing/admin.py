"""Beheer of invoicing. Invoices are made, finalised, paid and credited
through the services (and the portal pages), which keep the numbering, the
audit log and the immutability rules; here a finalised invoice can only be
looked at."""

from django.contrib import admin

from beware.common.admin import ReadOnlyAdmin, SuperuserAuditedAdmin

from .models import (
    Batch,
    BatchItem,
    BudgetLine,
    ContributionRate,
    EntryFee,
    Invoice,
    InvoiceLine,
    Payment,
    Reminder,
    UsageCount,
    VatRule,
)


def _is_final(obj) -> bool:
    return obj is not None and obj.is_final


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    fields = ["volgorde", "omschrijving", "periode_van", "periode_tot", "bedrag", "btw_categorie", "btw_percentage"]

    # `obj` is the invoice: the lines of a finalised invoice are as fixed as the invoice.
    def has_add_permission(self, request, obj=None):
        return not _is_final(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _is_final(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _is_final(obj) and super().has_delete_permission(request, obj)


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ["datum", "bedrag", "kenmerk", "geregistreerd_door", "geregistreerd_op"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "member", "soort", "status", "factuurdatum", "vervaldatum", "totaal_incl"]
    list_filter = ["status", "soort", "jaar"]
    list_select_related = ["member"]
    search_fields = ["nummer", "omschrijving", "member__naam"]
    date_hierarchy = "factuurdatum"
    inlines = [InvoiceLineInline, PaymentInline]
    exclude = ["pdf", "ubl"]  # private documents: downloaded through the portal's permission check
    # Set by invoice_finalise and the document rendering, never by hand.
    readonly_fields = [
        "member",
        "soort",
        "reden",
        "status",
        "corrects",
        "nummer",
        "jaar",
        "volgnummer",
        "factuurdatum",
        "vervaldatum",
        "betalingskenmerk",
        "koper",
        "totaal_excl",
        "totaal_btw",
        "totaal_incl",
        "definitief_op",
        "definitief_door",
        "pdf_sha256",
        "ubl_sha256",
        "verzonden_op",
        "batch",
    ]

    def has_add_permission(self, request):
        return False  # drafts come from charges through the services

    def has_change_permission(self, request, obj=None):
        return not _is_final(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _is_final(obj) and super().has_delete_permission(request, obj)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "datum", "bedrag", "kenmerk", "geregistreerd_door"]
    list_select_related = ["invoice", "geregistreerd_door"]
    search_fields = ["invoice__nummer", "kenmerk"]
    date_hierarchy = "datum"


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "volgnummer", "datum", "email", "openstaand"]
    list_select_related = ["invoice"]
    search_fields = ["invoice__nummer", "email"]


@admin.register(ContributionRate)
class ContributionRateAdmin(ReadOnlyAdmin):
    """Set on the Contributie page (contribution_rate_set), which refuses to
    change the rate of a year that was already invoiced."""

    list_display = ["jaar", "bedrag_per_inwoner", "besluit", "besluitdatum", "vastgelegd_op"]


@admin.register(VatRule)
class VatRuleAdmin(SuperuserAuditedAdmin):
    """The btw per kind of charge (DOMAIN.md §3.6); changed only by a superuser
    after tax advice. Lines keep the category and rate they were made with."""

    audit_name = "btwregel"
    list_display = ["soort", "categorie", "percentage"]


@admin.register(EntryFee)
class EntryFeeAdmin(SuperuserAuditedAdmin):
    """The entreegeld the ALV set (DOMAIN.md §3.2), by date from which it applies;
    a member becoming active is billed by the fee in force on its ingangsdatum."""

    audit_name = "entreegeld"
    list_display = ["geldig_vanaf", "vast_bedrag", "bedrag_per_inwoner", "besluit"]


class BatchItemInline(admin.TabularInline):
    model = BatchItem
    extra = 0
    fields = ["member", "uitkomst", "reden", "invoice"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "totaal", "gestart_door", "gestart_op", "klaar_op"]
    list_filter = ["soort", "status", "jaar"]
    inlines = [BatchItemInline]


@admin.register(UsageCount)
class UsageCountAdmin(ReadOnlyAdmin):  # entered on the Gebruik page, audited there
    list_display = ["member", "community", "periode", "aantal", "vastgelegd_op"]
    list_filter = ["jaar", "kwartaal", "community"]
    list_select_related = ["member", "community"]
    search_fields = ["member__naam", "community__naam"]


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):  # entered on the begroting page, audited there
    list_display = ["jaar", "categorie", "bedrag"]
    list_filter = ["jaar", "categorie"]
