"""Maintenance mode: a key in the service's Redis that, while present, freezes writes.

`trudeploy maintenance on|off` and `trudeploy migrate stack` (at cutover) set and remove it; the
web process refuses unsafe methods (middleware.py) and the worker defers its tasks (worker.py).
"""
