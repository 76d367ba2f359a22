"""The document register: the list with search and filters, one document with
its versions, downloads, and the managers' actions (new document, new
version, vaststellen, delen) with the read receipts of ALV documents.

Every lookup starts from selectors.visible_documents: a document the user may
not see is a 404 on every page, never a 403, so nobody learns it exists."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beware.common.forms import SERVICE_FIELD_LABELS

from . import selectors, services, uploads
from .forms_documents import AdoptForm, DocumentFilterForm, DocumentForm, VersionForm
from .models import Document

PAGE_SIZE = 50
VERSION_PREFIX = "versie"
ADOPT_PREFIX = "vaststellen"
DETAIL_TEMPLATE = "governance/documents/document_detail.html"
# Fields the services name differently from the forms.
FORM_FIELDS = {"besluitkenmerk": "kenmerk"}
FILE_KINDS = {uploads.PDF: "PDF", uploads.ODT: "ODT (OpenDocument)", uploads.DOCX: "DOCX (Word)"}


def _require_manage(request) -> None:
    if not selectors.may_manage_documents(request.user):
        raise PermissionDenied


def _visible_document(request, pk: int) -> Document:
    """The document when this user may see it; otherwise a 404."""
    return get_object_or_404(
        selectors.visible_documents(request.user).select_related("community", "besluit__body", "aangemaakt_door"),
        pk=pk,
    )


def _refusal_to_form(form, error: ValidationError) -> None:
    """A service's refusal on the form: at the field it names when the form
    has that field, otherwise at the top, prefixed with the field's name."""
    problems = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    for field, texts in problems.items():
        for text in texts:
            if FORM_FIELDS.get(field, field) in form.fields:
                form.add_error(FORM_FIELDS.get(field, field), text)
            elif field == NON_FIELD_ERRORS:
                form.add_error(None, text)
            else:
                label = SERVICE_FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
                form.add_error(None, f"{label}: {text}")


# --- the register ----------------------------------------------------------------


@login_required
def document_list(request):
    filters = DocumentFilterForm(request.GET or None)
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
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                document = services.document_create(by=request.actor, **form.cleaned_data)
            except ValidationError as error:
                _refusal_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("%(titel)s staat als concept in het register. Alleen beheerders zien het tot het is gedeeld.")
                    % {"titel": document.titel},
                )
                return redirect("governance:document", pk=document.pk)
        return render(request, "governance/documents/document_form.html", {"form": form}, status=400)
    return render(request, "governance/documents/document_form.html", {"form": form})


# --- one document ----------------------------------------------------------------


def _detail_context(request, document: Document, *, version_form=None, adopt_form=None) -> dict:
    may_manage = selectors.may_manage_documents(request.user)
    versions = list(document.versions.select_related("geupload_door").order_by("-nummer"))
    for version in versions:
        version.soort_label = FILE_KINDS.get(version.content_type, version.content_type)
    context = {
        "document": document,
        "versions": versions,
        "may_manage": may_manage,
        "released": document.status == Document.Status.VASTGESTELD or document.gedeeld_op is not None,
    }
    if not may_manage:
        return context
    if document.status == Document.Status.CONCEPT:
        version_form = version_form or VersionForm(prefix=VERSION_PREFIX)
        adopt_form = adopt_form or AdoptForm(prefix=ADOPT_PREFIX)
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
    form = VersionForm(request.POST, request.FILES, prefix=VERSION_PREFIX)
    if form.is_valid():
        try:
            version = services.document_add_version(by=request.actor, document=document, **form.cleaned_data)
        except ValidationError as error:
            _refusal_to_form(form, error)
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
            perm=selectors.MANAGE_DOCUMENTS,
        )
        return services.document_adopt(by=request.actor, document=document, besluit=besluit)


@login_required
@require_POST
def document_adopt(request, pk: int):
    _require_manage(request)
    document = _visible_document(request, pk)
    form = AdoptForm(request.POST, prefix=ADOPT_PREFIX)
    if form.is_valid():
        try:
            adopted = _adopt(request, document, form)
        except ValidationError as error:
            _refusal_to_form(form, error)
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
