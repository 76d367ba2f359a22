"""Errors as RFC 9457 problem details (`application/problem+json`), in Dutch,
as the NL API Design Rules ask: `type`, `title`, `status`, `detail`,
`instance`, a machine-readable `code` and, for field errors, `invalidParams`
[{name, code, reason}]."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_JSON = "application/problem+json"

RFC9110 = "https://www.rfc-editor.org/rfc/rfc9110"
TYPES = {
    400: f"{RFC9110}#name-400-bad-request",
    401: f"{RFC9110}#name-401-unauthorized",
    403: f"{RFC9110}#name-403-forbidden",
    404: f"{RFC9110}#name-404-not-found",
    405: f"{RFC9110}#name-405-method-not-allowed",
    406: f"{RFC9110}#name-406-not-acceptable",
    409: f"{RFC9110}#name-409-conflict",
    415: f"{RFC9110}#name-415-unsupported-media-type",
    429: "https://www.rfc-editor.org/rfc/rfc6585#section-4",
    500: f"{RFC9110}#name-500-internal-server-error",
}
TITLES = {
    400: "Ongeldige aanvraag",
    401: "Niet geauthenticeerd",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    406: "Niet aanvaardbaar",
    409: "Conflict met de huidige toestand",
    415: "Mediatype niet ondersteund",
    429: "Te veel verzoeken",
    500: "Interne fout",
}
# Our own wording for DRF's stock errors, so the body is Dutch whatever the
# client's Accept-Language; a view that raises with its own detail keeps it.
DETAILS = {
    exceptions.NotAuthenticated: "Stuur een geldig token mee: Authorization: Token <sleutel>.",
    exceptions.AuthenticationFailed: "Het token of de inloggegevens zijn ongeldig of verlopen.",
    exceptions.PermissionDenied: "U heeft geen recht op deze handeling.",
    exceptions.NotFound: "De gevraagde resource bestaat niet of u heeft er geen toegang toe.",
    exceptions.NotAcceptable: "Deze API levert alleen JSON (en documenten in hun eigen formaat).",
    exceptions.UnsupportedMediaType: "Stuur de gegevens als application/json.",
    exceptions.Throttled: "U heeft te veel verzoeken gedaan; probeer het later opnieuw.",
    exceptions.ParseError: "De gegevens in het verzoek zijn geen geldige JSON.",
}
CSRF_FAILED = "Met een sessie hoort bij deze methode een CSRF-token; een API-client gebruikt een token."
INVALID_PARAMS = "Een of meer parameters zijn ongeldig; zie invalidParams."
NON_FIELD = "nonFieldErrors"


def problem(status_code: int, detail: str, *, code: str = "", instance: str = "", invalid_params=None) -> dict:
    body = {
        "type": TYPES.get(status_code, "about:blank"),
        "title": TITLES.get(status_code, "Fout"),
        "status": status_code,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if instance:
        body["instance"] = instance
    if invalid_params is not None:
        body["invalidParams"] = invalid_params
    return body


def validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's refusal (Django's ValidationError) as a 400 problem naming the field in invalidParams."""
    return exceptions.ValidationError(get_error_detail(error))


def invalid_params(detail, prefix: str = "") -> list[dict]:
    """Flatten a ValidationError's detail to [{name, code, reason}];
    nested fields are named with dots (`kosten.0.bedrag`)."""
    if isinstance(detail, dict):
        params = []
        for name, value in detail.items():
            key = NON_FIELD if name in ("non_field_errors", NON_FIELD) else str(name)
            params += invalid_params(value, f"{prefix}.{key}" if prefix else key)
        return params
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [
                {"name": prefix or NON_FIELD, "code": getattr(item, "code", "invalid"), "reason": str(item)}
                for item in detail
            ]
        params = []
        for index, item in enumerate(detail):
            params += invalid_params(item, f"{prefix}.{index}" if prefix else str(index))
        return params
    return [{"name": prefix or NON_FIELD, "code": getattr(detail, "code", "invalid"), "reason": str(detail)}]


def _detail(exc) -> str:
    if isinstance(exc, exceptions.AuthenticationFailed):
        # One answer for a wrong, expired or inactive user's token: no hints.
        return DETAILS[exceptions.AuthenticationFailed]
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        return CSRF_FAILED
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        # DRF appends an English "Expected available in n seconds." to its own text.
        return f"U heeft te veel verzoeken gedaan; probeer het over {exc.wait} seconden opnieuw."
    for cls in type(exc).__mro__:
        if cls in DETAILS and str(exc.detail) == str(cls.default_detail):
            return DETAILS[cls]
    if isinstance(exc.detail, str):
        return str(exc.detail)
    return TITLES.get(exc.status_code, "Fout")


def _code(exc) -> str:
    detail = exc.detail
    return getattr(detail, "code", None) or exc.default_code


def exception_handler(exc, context):
    """DRF's handler (it maps Http404 and Django's PermissionDenied, and sets
    WWW-Authenticate, Allow and Retry-After), with the body as a problem."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django's 500 handling and logging apply
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    if isinstance(exc, exceptions.ValidationError):
        body = problem(
            400, INVALID_PARAMS, code="invalid", instance=instance, invalid_params=invalid_params(exc.detail)
        )
    else:
        body = problem(response.status_code, _detail(exc), code=_code(exc), instance=instance)
    response.data = body
    response.content_type = PROBLEM_JSON
    return response


def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/: a 404 problem instead of Django's HTML page."""
    body = problem(
        status.HTTP_404_NOT_FOUND,
        "Deze URL bestaat niet in de API; zie /api/v1/schema/.",
        code="not_found",
        instance=request.get_full_path(),
    )
    return JsonResponse(body, status=404, content_type=PROBLEM_JSON, json_dumps_params={"ensure_ascii": False})


def _problem_response(description: str, **extra) -> dict:
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        **extra,
    }


def document_shared_problems(result, generator, request, public):
    """drf-spectacular postprocessing hook for what holds for every operation
    whatever its view says: any call can hit the rate limit (429, with
    Retry-After); any paged list a wrong page (400) or one past the last
    (404); an optional query parameter may be sent empty."""
    too_many = _problem_response(
        "Te veel verzoeken; probeer het opnieuw na het aantal seconden in Retry-After.",
        headers={
            "Retry-After": {
                "schema": {"type": "integer"},
                "description": "Na hoeveel seconden een nieuw verzoek weer kan.",
            }
        },
    )
    for path in result["paths"].values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and not parameter.get("required"):
                    # DRF reads an empty optional parameter (?status=) as one left out.
                    parameter["allowEmptyValue"] = True
            responses = operation["responses"]
            responses.setdefault("429", too_many)
            if any(parameter.get("name") == "page" for parameter in operation.get("parameters", [])):
                responses.setdefault("400", _problem_response("Ongeldige parameter; zie invalidParams."))
                responses.setdefault("404", _problem_response("Deze pagina bestaat niet."))
    return result
