"""The Celery app: workers and beat run the nightly checks and slow work on Redis."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refprogram.settings")

app = Celery("refprogram")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
