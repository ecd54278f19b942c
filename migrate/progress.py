"""One look for every long-running copy: bars with counts, rates and ETA, on stderr."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Items per second (rows, keys, objects), where rich only ships a bytes-per-second column."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("?/s" if speed is None else f"{speed:,.0f}/s", style="progress.data.speed")


def make_progress(*, quiet: bool = False, bytes_mode: bool = False) -> Progress:
    """A rich Progress on stderr; `quiet` (e.g. under --json) keeps stdout clean for the report."""
    rate = TransferSpeedColumn() if bytes_mode else RateColumn()
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn() if bytes_mode else MofNCompleteColumn(),
        rate,
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=quiet,
    )
