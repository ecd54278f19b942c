"""The refusal every part of a stack move raises: bad input or a failed preflight (exit 2)."""

from __future__ import annotations


class StackInputError(Exception):
    """Bad outputs, bad options, or preflight refusals. `problems` holds every one of them, so
    an operator fixes all three stores in one go instead of one refusal per run."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))
