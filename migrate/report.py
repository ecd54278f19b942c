"""The outcome of one migration run: checks that passed or failed, rendered for people or scripts.

Every store reports the same shape so `--json` consumers and the stack orchestrator read one format.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table


@dataclass
class Check:
    """One verified fact: e.g. table `public.orders` row count, source 1200, target 1200."""

    subject: str
    check: str
    ok: bool
    source: Any = None
    target: Any = None
    detail: str = ""


@dataclass
class Report:
    kind: str
    run_id: str
    source: str
    target: str
    dry_run: bool = False
    status: str = "running"
    stats: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    preflight: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # How many preflight notes were printed as they were found (not part of the JSON report).
    preflight_shown: int = field(default=0, repr=False)

    def add(self, subject: str, check: str, source: Any, target: Any, detail: str = "") -> Check:
        item = Check(subject, check, source == target, source, target, detail)
        self.checks.append(item)
        return item

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.failures and self.status in {"verified", "planned"}

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("preflight_shown")
        # a dry run writes no journal, so it has no run to name (null, not an empty id)
        data["run_id"] = self.run_id or None
        data["ok"] = self.ok
        return json.dumps(data, indent=2, default=str)

    def show_preflight(self, console: Console) -> None:
        """Print the notes found so far, before the copy starts: an operator can stop a run
        whose notes (tables without a key, what is not copied) they did not expect, instead of
        reading them only once it is over. `render` then prints only the later ones."""
        for line in self.preflight[self.preflight_shown :]:
            console.print(f"[cyan]preflight[/] {escape(line)}", highlight=False)
        self.preflight_shown = len(self.preflight)

    def render(self, console: Console) -> None:
        """Summary for a person: the failures in full, the passes only as a count."""
        self.show_preflight(console)
        if self.failures:
            table = Table(title="Verification failures", show_lines=False)
            for column in ("subject", "check", "source", "target", "detail"):
                table.add_column(column)
            for c in self.failures:
                table.add_row(c.subject, c.check, str(c.source), str(c.target), c.detail)
            console.print(table)
        for error in self.errors:
            console.print(f"[bold red]error[/] {error}")
        passed = len(self.checks) - len(self.failures)
        colour = "green" if self.ok else "red"
        if self.dry_run:
            console.print(f"[bold {colour}]{self.kind} {self.status}[/]: dry run, nothing written")
            return
        run = f"; run id [bold]{self.run_id}[/]" if self.run_id else ""
        console.print(
            f"[bold {colour}]{self.kind} {self.status}[/]: {passed}/{len(self.checks)} checks "
            f"passed{run}"
        )
