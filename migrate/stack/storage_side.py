"""The object storage part of a stack move: the per-store run twice over one journal. The bulk
copy lists and copies everything; the cutover's second pass is that run's `--resume`, which skips
every object still as it was verified and copies what was added or replaced since, and with
`--delete` removes from the target what the source deleted."""

from __future__ import annotations

from migrate.journal import Journal
from migrate.report import Report
from migrate.stack.outputs import StackSide
from migrate.storage.backend import StorageInputError
from migrate.storage.locate import Side
from migrate.storage.run import StorageOptions, migrate_storage, open_sides


def _side(stack: StackSide, option: str) -> Side:
    return Side(
        stack.storage_url,
        option,
        endpoint=stack.storage_endpoint,
        region=stack.storage_region,
        keys=stack.storage_keys,
    )


class StorageSide:
    def __init__(self, source: StackSide, target: StackSide) -> None:
        self.source = _side(source, "source storageUrl")
        self.target = _side(target, "target storageUrl")

    def options(self, *, quiet: bool, again: str | None = None) -> StorageOptions:
        return StorageOptions(
            source=self.source, target=self.target, quiet=quiet, resume=again, delete=bool(again)
        )

    def preflight(self, *, resuming: bool) -> tuple[list[str], list[str]]:
        """(notes, refusals): both stores reachable and usable, the target empty unless
        resuming. Lists nothing: the copy lists once, not twice."""
        try:
            source, target = open_sides(self.options(quiet=True))
            source.check(as_target=False)
            target.check(as_target=True)
            if not resuming and not target.is_empty():
                raise StorageInputError(
                    f"target storageUrl {target.display} is not empty; move into an empty place"
                )
        except StorageInputError as exc:
            return [], [f"storage: {exc}"]
        return [f"storage: {source.display} -> {target.display}"], []

    def count(self) -> int:
        """How many objects the source holds (a dry run's estimate of the second pass)."""
        source, _ = open_sides(self.options(quiet=True))
        return sum(1 for _ in source.list())

    def copy(self, journal: Journal, *, quiet: bool, again: bool) -> Report:
        """The bulk copy (`again` False) or the cutover's pass over what changed since."""
        opts = self.options(quiet=quiet, again=journal.run_id if again else None)
        return migrate_storage(opts, journal=journal)
