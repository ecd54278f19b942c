"""The pure pieces: URL checks, sizes, range cutting, version policy, splitting pg_dump output."""

from __future__ import annotations

import itertools

import pytest

from migrate.postgres.conn import parse_url
from migrate.postgres.errors import PreflightError
from migrate.postgres.plan import _bounds
from migrate.postgres.preflight import check_versions
from migrate.postgres.schema import split_entries
from migrate.postgres.sizes import parse_size


def test_parse_size() -> None:
    assert parse_size("128MB") == 128 * 1024**2
    assert parse_size("64kB") == 64 * 1024
    assert parse_size("1gb") == 1024**3
    assert parse_size("4096") == 4096
    for bad in ("", "-1MB", "12 parsecs", "0"):
        with pytest.raises(ValueError, match="not a size"):
            parse_size(bad)


def test_bounds_cover_everything_without_overlap() -> None:
    spans = _bounds(1, 1000, 4)
    assert spans[0][0] is None and spans[-1][1] is None
    assert len(spans) == 4
    for (_, hi), (lo, _) in itertools.pairwise(spans):
        assert hi == lo


def test_parse_url_redacts_and_names_the_flag() -> None:
    with pytest.raises(PreflightError, match=r"^--to: .*names no database") as info:
        parse_url("postgresql://u:hunter2@host:5432", "--to")
    assert "hunter2" not in str(info.value)
    assert parse_url("postgres://u@h/db", "--from").database == "db"


def test_downgrade_policy() -> None:
    with pytest.raises(PreflightError, match="--allow-downgrade"):
        check_versions(160002, 150020, allow_downgrade=False)
    assert "versions" in check_versions(160002, 150020, allow_downgrade=True)
    assert "versions" in check_versions(150020, 160002, allow_downgrade=False)


def test_split_entries() -> None:
    script = (
        "SET x = 1;\n\\restrict abc\n\n"
        "--\n-- Name: t t_pkey; Type: CONSTRAINT; Schema: public; Owner: -\n--\n\n"
        "ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n\n\n"
        "--\n-- Name: t_a_idx; Type: INDEX; Schema: public; Owner: -\n--\n\n"
        "CREATE INDEX t_a_idx ON public.t (a);\n\n\\unrestrict abc\n"
    )
    preamble, entries = split_entries(script)
    assert preamble.strip() == "SET x = 1;"
    assert [(e.type, e.name) for e in entries] == [("CONSTRAINT", "t t_pkey"), ("INDEX", "t_a_idx")]
    assert entries[1].sql == "CREATE INDEX t_a_idx ON public.t (a);"
