"""gunicorn settings, read from the working directory by `docker-entrypoint.sh web`.

Everything sized by the platform comes from the environment: PORT, WEB_CONCURRENCY (processes),
GUNICORN_THREADS, GUNICORN_TIMEOUT. Logs are JSON lines on stdout like the app's own.
"""

import os

from config.logs import json_logging

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# The platform's load balancer terminates TLS and is the only client that reaches the container.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
# The platform supervises the process; a control socket in $HOME would need a writable home and
# would collide between instances sharing one.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

logconfig_dict = json_logging("INFO", ["gunicorn.error", "gunicorn.access"])
