#!/bin/sh
# One entry point for every process the service runs; each replaces this shell (exec) so the
# platform's signals reach it directly.
#   web      gunicorn on $PORT (settings in gunicorn.conf.py)
#   worker   a Celery worker
#   beat     the one Celery beat (run exactly one per deployment)
#   release  database migrations, once per deploy, before new code takes traffic
#   manage   any other manage.py command (createsuperuser, shell, ...) as a one-off task
set -eu
cd "$(dirname "$0")"

process="${1:-web}"
if [ "$#" -gt 0 ]; then
    shift
fi

case "$process" in
    web)
        exec gunicorn config.wsgi:application "$@"
        ;;
    worker)
        exec celery --app config --quiet worker --loglevel "${LOG_LEVEL:-INFO}" \
            --concurrency "${CELERY_CONCURRENCY:-2}" "$@"
        ;;
    beat)
        exec celery --app config --quiet beat --loglevel "${LOG_LEVEL:-INFO}" \
            --schedule "${CELERY_BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}" "$@"
        ;;
    release)
        exec python manage.py release "$@"
        ;;
    manage)
        exec python manage.py "$@"
        ;;
    *)
        echo "docker-entrypoint.sh: unknown process '$process'; use one of: web worker beat release manage" >&2
        exit 64
        ;;
esac
