"""The copy's two progress bars, rows and bytes, in one live display on stderr."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console, Group
from rich.live import Live

from migrate.progress import make_progress


class Bars:
    """`items` counts rows/units/tables per phase; `bytes` counts bytes streamed (with a rate)."""

    def __init__(self, quiet: bool) -> None:
        self.items = make_progress(quiet=quiet)
        self.bytes = make_progress(quiet=quiet, bytes_mode=True)
        self._live = (
            None
            if quiet
            else Live(
                Group(self.items, self.bytes), console=Console(stderr=True), refresh_per_second=8
            )
        )

    def __enter__(self) -> Bars:
        if self._live is not None:
            self._live.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.__exit__(kind, value, tb)
