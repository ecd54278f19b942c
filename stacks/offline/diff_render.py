"""A PlanDiff as GitHub-flavoured Markdown (the pull request comment) or plain text (a terminal).

The comment must stay readable in GitHub's renderer: one summary table, then one collapsible
section per stack that changed or has something to say. Values go in code spans, with backticks
replaced (they would end the span) and long values shortened. Table cells hold only stack
names (letters, digits, hyphens), targets and counts.
"""

from __future__ import annotations

import json
from typing import Any

from stacks.offline.diff import InputChange, PlanDiff, StackDiff

MARKER = "<!-- trudeploy-plan-diff -->"
"""First line of the comment, so the comment is recognisable as this tool's."""
MAX_VALUE = 80
MAX_ROWS = 50
"""Per list in a stack's section; the rest is counted, so a huge change keeps the comment short."""


def _value(value: Any) -> str:
    if value is None:
        return "(absent)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = text.replace("`", "'").replace("\n", " ")
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _change(c: InputChange) -> str:
    tag = " **(forces replacement)**" if c.replaces else ""
    return f"`{c.path}`: `{_value(c.old)}` → `{_value(c.new)}`{tag}"


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_ROWS:
        return lines
    return [*lines[:MAX_ROWS], f"- … and {len(lines) - MAX_ROWS} more"]


def _stack_section(s: StackDiff) -> list[str]:
    flag = "❌" if s.violations else "✅"
    head = f"{flag} {s.stack} ({s.target or 'unknown target'})"
    if s.status != "kept":
        head += f" — stack {s.status}"
    out = ["<details>" if not s.violations else "<details open>", f"<summary>{head}</summary>", ""]
    if s.violations:
        out += ["**Violations**", ""]
        out += _capped(
            [
                f"- {'(new) ' if v in s.new_violations else ''}`{_value_long(v)}`"
                for v in s.violations
            ]
        )
        out.append("")
    if s.excused:
        out += ["**Documented exceptions** (the target cannot meet these; see its docs)", ""]
        out += _capped([f"- `{_value_long(v)}`" for v in s.excused])
        out.append("")
    for title, items in (("Added", s.added), ("Removed", s.removed)):
        if items:
            out += [f"**{title}**", ""]
            out += _capped([f"- `{name}` ({type_})" for type_, name in items])
            out.append("")
    if s.changed:
        out += ["**Changed**", ""]
        lines = []
        for c in s.changed:
            action = "replace" if c.replaced else "update"
            lines.append(f"- `{c.name}` ({c.type}): {action}")
            lines += [f"  - {_change(i)}" for i in c.inputs[:MAX_ROWS]]
        out += lines
        out.append("")
    if s.unsimulated:
        out += [f"Unsimulated types: {', '.join(f'`{t}`' for t in s.unsimulated)}", ""]
    if not (s.has_changes or s.violations or s.excused):
        out += ["No changes.", ""]
    out += ["</details>", ""]
    return out


def _value_long(text: str) -> str:
    return text.replace("`", "'").replace("\n", " ")


def markdown(diff: PlanDiff, notes: list[str] | None = None) -> str:
    """The pull request comment."""
    bad = diff.violations
    verdict = f"❌ {bad} violation(s)" if bad else "✅ no violations"
    out = [MARKER, "## Offline plan diff", "", f"{verdict} across {len(diff.stacks)} stack(s).", ""]
    out += [
        "| stack | target | added | removed | changed | replaced | violations |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for s in diff.stacks:
        cells = [
            s.stack + ("" if s.status == "kept" else f" ({s.status})"),
            s.target or "?",
            str(len(s.added)),
            str(len(s.removed)),
            str(len(s.changed)),
            str(len(s.replaced)),
            str(len(s.violations)),
        ]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    for s in diff.stacks:
        out += _stack_section(s)
    for note in notes or []:
        out += [f"> {note}", ""]
    out.append("Secrets are shown as `[secret]`; computed offline, no credentials used.")
    return "\n".join(out) + "\n"


def text(diff: PlanDiff) -> str:
    """The same content for a terminal."""
    out = []
    for s in diff.stacks:
        out.append(
            f"{s.stack} ({s.target or '?'}{'' if s.status == 'kept' else ', ' + s.status}): "
            f"+{len(s.added)} -{len(s.removed)} ~{len(s.changed)} "
            f"replace {len(s.replaced)}, violations {len(s.violations)}"
        )
        out += [f"  violation: {v}" for v in s.violations]
        out += [f"  documented exception: {v}" for v in s.excused]
        out += [f"  + {name} ({type_})" for type_, name in s.added]
        out += [f"  - {name} ({type_})" for type_, name in s.removed]
        for c in s.changed:
            out.append(f"  ~ {c.name} ({c.type}): {'replace' if c.replaced else 'update'}")
            out += [
                f"      {i.path}: {_value(i.old)} -> {_value(i.new)}"
                + (" (forces replacement)" if i.replaces else "")
                for i in c.inputs
            ]
        if s.unsimulated:
            out.append(f"  unsimulated types: {', '.join(s.unsimulated)}")
    out.append(f"{diff.violations} violation(s)")
    return "\n".join(out) + "\n"
