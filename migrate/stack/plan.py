"""`--dry-run`: the phases and the write pause to expect, from what preflight learnt."""

from __future__ import annotations

from migrate.postgres.conn import connect, parse_url
from migrate.stack.move import Move
from migrate.stack.report import StackReport
from migrate.stack.window import expected_window, verify_seconds


def _database_bytes(url: str) -> int:
    with connect(parse_url(url, "source databaseUrl")) as conn:
        return int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])


def plan(move: Move) -> StackReport:
    """The phases and the window expected, with and without Redis keyspace notifications (a dry
    run does not change the source's config to find out which it will get)."""
    redis_plan = move.redis.plan
    assert redis_plan is not None
    database_bytes = _database_bytes(move.opts.source.database_url)
    sizes = {
        "cache_seconds": move.maintenance.CACHE_SECONDS,
        "redis_keys": sum(redis_plan.keys.values()),
        "objects": move.storage.count(),
    }
    best = expected_window(**sizes, notifications=True)
    worst = expected_window(**sizes, notifications=False)
    move.report.preflight += [
        f"source: {database_bytes / 1e6:,.0f} MB of PostgreSQL, "
        f"{sizes['redis_keys']:,} Redis keys, {sizes['objects']:,} objects",
        "phases: bulk copy (source serving) -> catch-up -> verify (source serving; about "
        f"{verify_seconds(database_bytes)} s) -> cutover (source in maintenance, database "
        "frozen; the stores' last changes and checks at once) -> switch",
        f"expected write-unavailable window: about {best.seconds} s (flag cache "
        f"{sizes['cache_seconds']} s + freeze and switch + the slowest of: "
        + "; ".join(f"{k} {v:.1f} s" for k, v in best.parts.items())
        + f"); about {worst.seconds} s if the source refuses keyspace notifications",
    ]
    move.report.stats.update(expected_window_s=best.seconds, expected_window_rescan_s=worst.seconds)
    move.report.status = "planned"
    return move.report
