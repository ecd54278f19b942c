"""The probe paths, shared by the Django middleware and the gunicorn worker (which must not import
Django)."""

LIVE = "/api/v1/health/live/"
READY = "/api/v1/health/ready/"
FULL = "/api/v1/health/"
