"""One look for every long-running copy: bars with counts, rates and ETA, on stderr."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)


def make_progress(*, quiet: bool = False, bytes_mode: bool = False) -> Progress:
    """A rich Progress on stderr; `quiet` (e.g. under --json) keeps stdout clean for the report."""
    rate = TransferSpeedColumn() if bytes_mode else TextColumn("{task.fields[rate]}")
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        rate,
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=quiet,
    )
