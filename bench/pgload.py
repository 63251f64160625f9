"""Bulk loading into PostgreSQL: create the database, take indexes and constraints off the bulk
tables before COPY and put the very same definitions back afterwards, in parallel."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import psycopg

SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def database_url(name: str, host: str = "127.0.0.1", port: int = 5432, user: str = "postgres") -> str:
    return f"postgres://{user}@{host}:{port}/{name}"


def recreate_database(url: str, name: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def bulk_session(conn: psycopg.Connection) -> None:
    """Session settings that make loading and index builds faster; nothing persistent."""
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET maintenance_work_mem = '512MB'")
    conn.execute("SET max_parallel_maintenance_workers = 0")
    conn.execute("SET work_mem = '64MB'")


@dataclass
class SavedSchema:
    foreign_keys: list[tuple[str, str, str]]  # (table, name, definition)
    keys: list[tuple[str, str, str]]  # primary/unique/exclusion constraints
    indexes: list[tuple[str, str, str]]  # (table, name, CREATE INDEX ...)


def save_and_drop(conn: psycopg.Connection, tables: Iterable[str]) -> SavedSchema:
    """Drop every index and constraint on `tables` (and foreign keys pointing at them)."""
    names = list(tables)
    oids = [r[0] for r in conn.execute("SELECT oid FROM pg_class WHERE relname = ANY(%s)", (names,)).fetchall()]
    fks = conn.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE contype = 'f' AND (conrelid = ANY(%s) OR confrelid = ANY(%s)) ORDER BY 1, 2""",
        (oids, oids),
    ).fetchall()
    keys = conn.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE contype IN ('p', 'u', 'x') AND conrelid = ANY(%s) ORDER BY contype, 1, 2""",
        (oids,),
    ).fetchall()
    indexes = conn.execute(
        """SELECT i.indrelid::regclass::text, ci.relname, pg_get_indexdef(i.indexrelid)
           FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid
           WHERE i.indrelid = ANY(%s) AND NOT EXISTS (
               SELECT 1 FROM pg_constraint c
               WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))
           ORDER BY 1, 2""",
        (oids,),
    ).fetchall()
    for table, name, _ in fks:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for table, name, _ in keys:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for _, name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    return SavedSchema(foreign_keys=list(fks), keys=list(keys), indexes=list(indexes))


def _parallel(url: str, statements: list[tuple[str, str]], workers: int, on_done: Callable[[str, float], None]) -> None:
    """Run (label, sql) statements on `workers` connections, biggest tables first."""
    pending = list(statements)

    def worker() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            bulk_session(conn)
            while pending:
                try:
                    label, sql = pending.pop(0)
                except IndexError:
                    return
                started = time.perf_counter()
                conn.execute(sql)
                on_done(label, time.perf_counter() - started)

    with ThreadPoolExecutor(workers) as pool:
        for future in [pool.submit(worker) for _ in range(workers)]:
            future.result()


def restore(
    url: str, saved: SavedSchema, sizes: dict[str, int], on_done: Callable[[str, float], None], workers: int = 2
) -> None:
    """Recreate keys and indexes (in parallel), then foreign keys: added NOT VALID, then validated
    (validation takes only light locks, so several run at once)."""

    def by_size(item: tuple[str, str, str]) -> int:
        return -sizes.get(item[0], 0)

    builds = [(f"{t}.{n}", f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}') for t, n, d in sorted(saved.keys, key=by_size)]
    builds += [(f"{t}.{n}", d) for t, n, d in sorted(saved.indexes, key=by_size)]
    builds.sort(key=lambda s: -sizes.get(s[0].split(".")[0], 0))
    _parallel(url, builds, workers, on_done)
    with psycopg.connect(url, autocommit=True) as conn:
        for table, name, definition in saved.foreign_keys:
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition} NOT VALID')
    checks = [
        (f"{t}.{n}", f'ALTER TABLE {t} VALIDATE CONSTRAINT "{n}"')
        for t, n, _ in sorted(saved.foreign_keys, key=by_size)
    ]
    _parallel(url, checks, workers, on_done)


def reset_sequences(conn: psycopg.Connection, tables: Iterable[str]) -> None:
    for table in tables:
        seq = conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()
        if seq and seq[0]:
            conn.execute(f"SELECT setval(%s, COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)", (seq[0],))
