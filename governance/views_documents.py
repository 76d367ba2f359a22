"""The document register: the list with search and filters, one document with
its versions, downloads, and the managers' actions (new document, new
version, vaststellen, delen) with the read receipts of ALV documents.

Every lookup starts from selectors.visible_documents: a document the user may
not see is a 404 on every page, never a 403, so nobody learns it exists."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services, uploads
from .forms_documents import AdoptForm, DocumentFilterForm, DocumentForm, VersionForm
from .models import Document
from .views_common import service_errors_into_form

PAGE_SIZE = 50
VERSION_PREFIX = "versie"
ADOPT_PREFIX = "vaststellen"
DETAIL_TEMPLATE = "governance/documents/document_detail.html"
FILE_KINDS = {uploads.PDF: "PDF", uploads.ODT: "ODT (OpenDocument)", uploads.DOCX: "DOCX (Word)"}


def _require_manage(request) -> None:
    """Managers of some part of the register: the directie and the secretaris,
    and the RvC for its closed documents."""
    if not selectors.may_manage_documents(request.user):
        raise PermissionDenied


def _require_manage_document(request, document: Document) -> None:
    """Managing this document: its audience decides (the RvC's closed
    documents only the RvC). Asked after the visibility check, so a document
    the user may not see stays a 404."""
    if not selectors.may_manage_document(request.user, document.doelgroep):
        raise PermissionDenied


def _visible_document(request, pk: int) -> Document:
    """The document when this user may see it; otherwise a 404."""
    return get_object_or_404(
        selectors.visible_documents(request.user).select_related("community", "besluit__body", "aangemaakt_door"),
        pk=pk,
    )


# --- the register ----------------------------------------------------------------


@login_required
def document_list(request):
    filters = DocumentFilterForm(request.GET or None, user=request.user)
    documents = selectors.document_register(request.user, **filters.criteria())
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "governance/documents/document_list.html",
        {
            "filters": filters,
            "page": page,
            "searching": any(filters.criteria().values()),
            "may_manage": selectors.may_manage_documents(request.user),
        },
    )


@login_required
def document_new(request):
    _require_manage(request)
    doelgroep = request.POST.get("doelgroep")
    if doelgroep in Document.Audience.values and not selectors.may_manage_document(request.user, doelgroep):
        raise PermissionDenied  # an audience this user does not manage
    form = DocumentForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                document = services.document_create(by=request.actor, **form.cleaned_data)
            except ValidationError as error:
                service_errors_into_form(form, error)
            else:
                if document.doelgroep == Document.Audience.RVC_BESLOTEN:
                    text = _("%(titel)s staat als besloten concept in het register. Alleen de RvC ziet het.")
                else:
                    text = _(
                        "%(titel)s staat als concept in het register. Alleen beheerders zien het tot het is gedeeld."
                    )
                messages.success(request, text % {"titel": document.titel})
                return redirect("governance:document", pk=document.pk)
        return render(request, "governance/documents/document_form.html", {"form": form}, status=400)
    return render(request, "governance/documents/document_form.html", {"form": form})


# --- one document ----------------------------------------------------------------


def _detail_context(request, document: Document, *, version_form=None, adopt_form=None) -> dict:
    may_manage = selectors.may_manage_document(request.user, document.doelgroep)
    versions = list(document.versions.select_related("geupload_door").order_by("-nummer"))
    for version in versions:
        version.soort_label = FILE_KINDS.get(version.content_type, version.content_type)
    context = {
        "document": document,
        "versions": versions,
        "may_manage": may_manage,
        "released": document.status == Document.Status.VASTGESTELD or document.gedeeld_op is not None,
        "closed": document.doelgroep == Document.Audience.RVC_BESLOTEN,
    }
    if not may_manage:
        return context
    if document.status == Document.Status.CONCEPT:
        version_form = version_form or VersionForm(prefix=VERSION_PREFIX)
        adopt_form = adopt_form or AdoptForm(prefix=ADOPT_PREFIX, document=document)
    # A refused form is shown with its errors, also when the document was
    # adopted meanwhile (then it offers no new forms).
    context["version_form"], context["adopt_form"] = version_form, adopt_form
    if document.doelgroep == Document.Audience.LEDEN and document.gedeeld_op is not None:
        status = selectors.read_status(document)
        context["read_status"] = status
        context["read_count"] = len(status.read)
        context["member_count"] = len(status.read) + len(status.unread)
    return context


@login_required
def document_detail(request, pk: int):
    document = _visible_document(request, pk)
    services.document_opened(by=request.actor, document=document)
    return render(request, DETAIL_TEMPLATE, _detail_context(request, document))


@login_required
def document_download(request, pk: int, nummer: int):
    document = _visible_document(request, pk)
    version = document.versions.filter(nummer=nummer).first()
    if version is None:
        raise Http404
    services.document_opened(by=request.actor, document=document)
    return FileResponse(
        version.bestand.open("rb"),
        as_attachment=True,
        filename=version.bestandsnaam,
        content_type=version.content_type,
    )


# --- the managers' actions on a document ---------------------------------------


@login_required
@require_POST
def document_version(request, pk: int):
    _require_manage(request)
    document = _visible_document(request, pk)
    _require_manage_document(request, document)
    form = VersionForm(request.POST, request.FILES, prefix=VERSION_PREFIX)
    if form.is_valid():
        try:
            version = services.document_add_version(by=request.actor, document=document, **form.cleaned_data)
        except ValidationError as error:
            service_errors_into_form(form, error)
        else:
            messages.success(request, _("Versie %(nummer)s is toegevoegd.") % {"nummer": version.nummer})
            return redirect("governance:document", pk=document.pk)
    return render(request, DETAIL_TEMPLATE, _detail_context(request, document, version_form=form), status=400)


def _adopt(request, document: Document, form: AdoptForm) -> Document:
    """Adopt with the chosen decision, or record the new decision and adopt
    with it in one transaction: a refused adoption records no decision."""
    data = form.cleaned_data
    if not form.records_new_decision:
        return services.document_adopt(by=request.actor, document=document, besluit=data["besluit"])
    with transaction.atomic():
        besluit = services.decision_record(
            by=request.actor,
            body=data["orgaan"],
            kenmerk=data["kenmerk"],
            datum=data["datum"],
            onderwerp=data["onderwerp"],
            perm=selectors.manage_permission(document.doelgroep),
        )
        return services.document_adopt(by=request.actor, document=document, besluit=besluit)


@login_required
@require_POST
def document_adopt(request, pk: int):
    _require_manage(request)
    document = _visible_document(request, pk)
    _require_manage_document(request, document)
    form = AdoptForm(request.POST, prefix=ADOPT_PREFIX, document=document)
    if form.is_valid():
        try:
            adopted = _adopt(request, document, form)
        except ValidationError as error:
            service_errors_into_form(form, error)
        else:
            messages.success(
                request,
                _("%(titel)s is vastgesteld met besluit %(kenmerk)s.")
                % {"titel": adopted.titel, "kenmerk": adopted.besluit.kenmerk},
            )
            return redirect("governance:document", pk=document.pk)
    return render(request, DETAIL_TEMPLATE, _detail_context(request, document, adopt_form=form), status=400)


@login_required
@require_POST
def document_share(request, pk: int):
    _require_manage(request)
    document = _visible_document(request, pk)
    _require_manage_document(request, document)
    try:
        services.document_share(by=request.actor, document=document)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("%(titel)s is gedeeld met %(doelgroep)s; zij krijgen een e-mail met een link.")
            % {"titel": document.titel, "doelgroep": document.get_doelgroep_display().lower()},
        )
    return redirect("governance:document", pk=document.pk)
