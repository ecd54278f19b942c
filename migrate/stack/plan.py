"""`--dry-run`: the phases and the write pause to expect, from what preflight learnt."""

from __future__ import annotations

from migrate.stack.move import Move
from migrate.stack.report import StackReport
from migrate.stack.window import expected_window


def plan(move: Move) -> StackReport:
    """The phases and the window expected, with and without Redis keyspace notifications (a dry
    run does not change the source's config to find out which it will get)."""
    plan = move.redis.plan
    assert plan is not None
    keys = sum(plan.keys.values())
    cache = move.maintenance.CACHE_SECONDS
    objects = move.storage.count()
    best = expected_window(
        cache_seconds=cache, redis_keys=keys, notifications=True, objects=objects
    )
    worst = expected_window(
        cache_seconds=cache, redis_keys=keys, notifications=False, objects=objects
    )
    move.report.preflight += [
        "phases: bulk copy (source serving) -> catch-up -> cutover (source in maintenance, "
        "database frozen, last changes, verification) -> switch",
        f"expected write-unavailable window: about {best.seconds} s ("
        + "; ".join(f"{k} {v:.1f} s" for k, v in best.parts.items())
        + f"); about {worst.seconds} s if the source refuses keyspace notifications",
    ]
    move.report.stats.update(expected_window_s=best.seconds, expected_window_rescan_s=worst.seconds)
    move.report.status = "planned"
    return move.report
