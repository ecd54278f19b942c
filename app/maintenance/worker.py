"""Celery tasks wait out maintenance instead of writing: the message goes back to the broker.

Every task of the app is built on ``MaintenanceAwareTask`` (config/celery.py makes it the app's
task class). Before a task's body runs, ``before_start`` reads the maintenance flag; while it is
on, the task waits up to the flag's ``retry_after`` (re-reading every CACHE_SECONDS: a short
freeze costs the task a short delay), then, if maintenance still holds, raises
``Reject(requeue=True)``. With late acks that puts the *same* message back at the tail of its
queue in one broker round trip (kombu's Redis transport moves it from ``unacked`` to the list):
no copy is published, no retry is counted against the task's own ``max_retries``, and the message
stays in the Redis the migration copies to the new stack at cutover. Waiting first keeps the
worker from spinning on a message it cannot run. The flag unreadable: requeued the same way
(fail closed, as the web side does; if the broker is gone too, the message stays unacked and
kombu restores it after the visibility timeout).

A task that writes nothing the move copies (one that only reads and queues other tasks, such as
beat's sweep) sets ``defer_in_maintenance=False`` and keeps running. Beat itself is untouched:
it keeps sending on schedule, and what it sends waits in the broker like everything else.
Eager runs (no broker: ``make run``, tests) have no queue to go back to and are never deferred.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import Task
from celery.exceptions import Reject

from . import flag

logger = logging.getLogger(__name__)


def _still_on_after_waiting() -> flag.Maintenance | flag.FlagUnreadable | None:
    """The flag once maintenance is over (None), or as it stands after ``retry_after`` seconds."""
    deadline: float | None = None
    while True:
        try:
            state: flag.Maintenance | flag.FlagUnreadable | None = flag.current()
        except flag.FlagUnreadable as exc:
            state = exc
        if state is None:
            return None
        wait = (
            state.retry_after if isinstance(state, flag.Maintenance) else flag.DEFAULT_RETRY_AFTER
        )
        deadline = deadline if deadline is not None else time.monotonic() + wait
        if time.monotonic() >= deadline:
            return state
        time.sleep(flag.CACHE_SECONDS)


class MaintenanceAwareTask(Task):
    """A task that does not start while the service is in maintenance (module docstring)."""

    defer_in_maintenance = True

    def before_start(self, task_id: str, args: Any, kwargs: Any) -> None:
        if not self.defer_in_maintenance or self.request.is_eager or self.request.called_directly:
            return
        state = _still_on_after_waiting()
        if state is None:
            return
        logger.info(
            "maintenance: task returned to the queue",
            extra={
                "task": self.name,
                "task_id": task_id,
                "run_id": state.run_id if isinstance(state, flag.Maintenance) else "",
                "flag": "unreadable" if isinstance(state, flag.FlagUnreadable) else "on",
            },
        )
        raise Reject("in maintenance", requeue=True)
