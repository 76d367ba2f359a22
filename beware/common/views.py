from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """Liveness and readiness: the database, and the broker when one is configured."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 — any failure means not healthy
        checks["database"] = f"fout: {exc.__class__.__name__}"
    if settings.CELERY_BROKER_URL:
        from kombu import Connection

        try:
            with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
                broker.ensure_connection(max_retries=1)
            checks["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["broker"] = f"fout: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "fout", "checks": checks}, status=200 if healthy else 503)
