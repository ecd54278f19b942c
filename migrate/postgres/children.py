"""Child processes (pg_dump, psql) whose life is tied to the run's.

A `kill -9` of the migration must not leave a psql behind that goes on loading a schema the journal
will never hear about: every child asks the kernel (PR_SET_PDEATHSIG) to SIGKILL it when the
thread that started it dies, and checks its parent is still there in case it died first.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any

_PR_SET_PDEATHSIG = 1
# Loaded up front: the forked child only calls into it, it loads nothing.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _die_with(parent: int) -> Callable[[], None]:
    def preexec() -> None:
        """Runs in the child before exec. PDEATHSIG follows the forking thread, so children are
        started from the run's main thread, which lives as long as the process."""
        if _LIBC is not None:
            _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def popen(cmd: list[str], **kwargs: Any) -> subprocess.Popen:
    """subprocess.Popen, killed with the run."""
    return subprocess.Popen(cmd, preexec_fn=_die_with(os.getpid()), **kwargs)


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
    """subprocess.run, killed with the run."""
    return subprocess.run(cmd, preexec_fn=_die_with(os.getpid()), check=False, **kwargs)
