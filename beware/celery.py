import os

from celery import Celery

# Workers and beat run in production like the web servers (wsgi.py); manage.py
# picks the dev settings itself before this module is imported.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beware.settings.production")

app = Celery("beware")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
