"""gunicorn settings, read from the working directory by `docker-entrypoint.sh web`.

Everything sized by the platform comes from the environment: PORT, WEB_CONCURRENCY (processes),
GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_KEEPALIVE, TRUSTED_PROXY_COUNT, LOG_LEVEL. Logs are
JSON lines on stdout like the app's own.
"""

from config.env import env_int, env_str
from config.logs import json_logging

bind = f"0.0.0.0:{env_int('PORT', 8000)}"
workers = env_int("WEB_CONCURRENCY", 2)
threads = env_int("GUNICORN_THREADS", 4)
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 20
# A kept-alive connection must outlive the load balancer's idle timeout: if gunicorn closes first,
# the balancer can send a request down a connection that is closing and answers the client 502.
# AWS ALB idles out after 60 s, hence 75; targets set it above their own balancer's timeout.
keepalive = env_int("GUNICORN_KEEPALIVE", 75)
# Liveness is answered by the worker's own event loop, ahead of the request threads, so a hung
# dependency that occupies every thread cannot make a live process look dead (health.worker).
worker_class = "health.worker.LivenessFirstWorker"
# X-Forwarded-Proto is believed only from a proxy the deploy target declared (TRUSTED_PROXY_COUNT).
# The balancer's addresses are not known in advance, so with a proxy any peer is trusted: the
# target's network lets nothing but the balancer reach the container. FORWARDED_ALLOW_IPS narrows
# that to the balancer's subnets where they are known. Without a proxy, no peer is trusted.
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS") or (
    "*" if env_int("TRUSTED_PROXY_COUNT", 0) else ""
)
# The platform supervises the process; a control socket in $HOME would need a writable home and
# would collide between instances sharing one.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

loglevel = env_str("LOG_LEVEL", "INFO").lower()
logconfig_dict = json_logging(loglevel.upper(), ["gunicorn.error", "gunicorn.access"])
