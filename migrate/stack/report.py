"""The stack move's one report: its own phases and window, and a section per store in the same
shape each store's own command reports (migrate/report.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from migrate.report import Report


@dataclass
class StackReport(Report):
    sections: dict[str, Report] = field(default_factory=dict)
    #: Seconds from the source entering maintenance to the target leaving it, as the tool saw it.
    write_unavailable_s: float | None = None

    def section(self, name: str, source: str = "", target: str = "") -> Report:
        if name not in self.sections:
            self.sections[name] = Report(name, self.run_id, source, target)
        return self.sections[name]

    @property
    def ok(self) -> bool:
        own = not self.errors and not self.failures and self.status in {"switched", "planned"}
        return own and all(not s.errors and not s.failures for s in self.sections.values())

    def to_json(self) -> str:
        data: dict[str, Any] = json.loads(Report.to_json(self))
        data["ok"] = self.ok
        data["sections"] = {n: json.loads(s.to_json()) for n, s in self.sections.items()}
        return json.dumps(data, indent=2, default=str)

    def render(self, console: Console) -> None:
        self.show_preflight(console)
        if self.timings:
            table = Table("phase", "seconds", title="Phases")
            for name, seconds in self.timings.items():
                table.add_row(name.removesuffix("_s"), f"{seconds:.2f}")
            console.print(table)
        steps = self.stats.get("cutover_steps_s")
        if steps:
            console.print(
                "cutover, stores at once: " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items())
            )
        if self.write_unavailable_s is not None:
            console.print(f"write-unavailable window: [bold]{self.write_unavailable_s:.2f} s[/]")
        for name, section in self.sections.items():
            failed = section.failures
            passed = len(section.checks) - len(failed)
            colour = "red" if failed or section.errors else "green"
            console.print(f"[{colour}]{name}[/]: {passed}/{len(section.checks)} checks passed")
            for c in failed:
                console.print(
                    f"  [red]{c.subject}[/] {c.check}: {c.source} != {c.target} {c.detail}"
                )
            for error in section.errors:
                console.print(f"  [bold red]error[/] {error}")
        for error in self.errors:
            console.print(f"[bold red]error[/] {error}")
        colour = "green" if self.ok else "red"
        if self.dry_run:
            console.print(f"[bold {colour}]stack {self.status}[/]: dry run, nothing written")
            return
        run = f"; run id [bold]{self.run_id}[/]" if self.run_id else ""
        console.print(f"[bold {colour}]stack {self.status}[/]{run}")
