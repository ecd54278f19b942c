"""Engine events (Pulumi Automation API `on_event`) as live progress: resources done of total,
the operations in flight, and every error or policy violation with the resource it concerns.

`EngineProgress.apply` is pure bookkeeping, so it is tested on recorded engine events; `render`
draws the state with rich. The total is the number of resources the offline plan declared (the
same program, so the same resources), or unknown when there is none (`destroy`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pulumi.automation import events
from rich.console import Group
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

QUIET_OPS = {events.OpType.SAME, events.OpType.READ, events.OpType.REFRESH}
"""Steps that change nothing: counted as done, not shown as in flight."""


def short(urn: str) -> str:
    """`...::trudeploy:docker:Service$docker:index/container:Container::web` -> `web (Container)`
    (the name, and the last part of the type)."""
    name = urn.rsplit("::", 1)[-1]
    type_ = urn.rsplit("::", 2)[-2].rsplit("$", 1)[-1].rsplit(":", 1)[-1] if "::" in urn else ""
    return f"{name} ({type_})" if type_ else name


@dataclass
class EngineProgress:
    total: int | None = None
    done: set[str] = field(default_factory=set)
    current: dict[str, str] = field(default_factory=dict)
    """urn -> operation in flight"""
    changes: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: dict[str, int] | None = None

    def apply(self, event: events.EngineEvent) -> None:
        """Fold one engine event into the state."""
        if event.resource_pre_event:
            meta = event.resource_pre_event.metadata
            if meta.op not in QUIET_OPS:
                self.current[meta.urn] = meta.op.value
        elif event.res_outputs_event:
            meta = event.res_outputs_event.metadata
            self.current.pop(meta.urn, None)
            self.done.add(meta.urn)
            if meta.op not in QUIET_OPS:
                self.changes[meta.op.value] = self.changes.get(meta.op.value, 0) + 1
        elif event.res_op_failed_event:
            meta = event.res_op_failed_event.metadata
            self.current.pop(meta.urn, None)
            self.errors.append(f"{short(meta.urn)}: {meta.op.value} failed")
        elif event.diagnostic_event:
            diag = event.diagnostic_event
            where = f"{short(diag.urn)}: " if diag.urn else ""
            line = f"{where}{diag.message.strip()}"
            if diag.severity == "error":
                self.errors.append(line)
            elif diag.severity == "warning":
                self.warnings.append(line)
        elif event.policy_event:
            pol = event.policy_event
            where = f"{short(pol.resource_urn)}: " if pol.resource_urn else ""
            line = f"policy {pol.policy_name} ({pol.enforcement_level}): {where}{pol.message}"
            (self.errors if pol.enforcement_level == "mandatory" else self.warnings).append(line)
        elif event.summary_event:
            # OpType keys when built in-process, plain strings when parsed from the event log
            changes = event.summary_event.resource_changes.items()
            self.summary = {str(getattr(op, "value", op)): n for op, n in changes}

    def render(self) -> Group:
        """The state as rich renderables: a bar, the operations in flight, errors and warnings."""
        progress = Progress(
            TextColumn("resources"), BarColumn(), MofNCompleteColumn(), auto_refresh=False
        )
        progress.add_task("resources", total=self.total, completed=len(self.done))
        lines: list[Text | Progress] = [progress]
        lines += [Text(f"  {op}: {short(urn)}", style="cyan") for urn, op in self.current.items()]
        lines += [Text.from_markup(f"[yellow]warning:[/] {escape(w)}") for w in self.warnings]
        lines += [Text.from_markup(f"[bold red]error:[/] {escape(e)}") for e in self.errors]
        return Group(*lines)
