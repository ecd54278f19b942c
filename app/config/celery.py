"""The Celery application; its configuration is the ``CELERY_*`` block of the Django settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every task waits out maintenance mode before it writes (maintenance/worker.py).
app = Celery("trudeploy", task_cls="maintenance.worker:MaintenanceAwareTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
