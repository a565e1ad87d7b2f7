"""Batch INSERTs for imports: claims with their ids in order, and rows straight through the SQLite driver."""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select

from service.claims.models import Claim, ClaimEvent, ClaimTag
from service.db import is_sqlite

# Core tables, not ORM classes, for the batch inserts: the ORM's bulk path costs more than the INSERT.
CLAIM_TABLE: Table = Claim.__table__  # type: ignore[attr-defined]
EVENT_TABLE: Table = ClaimEvent.__table__  # type: ignore[attr-defined]
TAG_TABLE: Table = ClaimTag.__table__  # type: ignore[attr-defined]
# Bound values per statement, under the limit of SQLite builds before 3.32.
SQLITE_MAX_PARAMETERS = 999


def insert_claims(
    connection: Connection, constants: dict[str, Any], values: list[dict[str, Any]], job_id: int
) -> list[int]:
    """Insert claims in one executemany; their ids, in the order of `values`."""
    if not is_sqlite(connection):
        inserted = connection.execute(
            insert(CLAIM_TABLE).returning(CLAIM_TABLE.c.id, sort_by_parameter_order=True),
            [constants | row for row in values],
        ).all()
        return [claim_id for (claim_id,) in inserted]
    # SQLite cannot return ids in parameter order from one statement, so SQLAlchemy would insert row by
    # row. This transaction holds the database's only write lock from the first INSERT on, and SQLite
    # gives each new row max(id) + 1: the batch's ids are the last len(values) ids, in order.
    insert_rows(connection, CLAIM_TABLE, constants, values)
    last = connection.execute(select(func.max(CLAIM_TABLE.c.id))).scalar_one()
    first = last - len(values) + 1
    ours = connection.execute(
        select(func.count())
        .select_from(CLAIM_TABLE)
        .where(CLAIM_TABLE.c.id.between(first, last), CLAIM_TABLE.c.import_job_id == job_id)
    ).scalar_one()
    if ours != len(values):
        raise RuntimeError(f"claim ids of import batch are not contiguous ({ours} of {len(values)})")
    return list(range(first, last + 1))


def insert_rows(
    connection: Connection, table: Table, constants: dict[str, Any], rows: list[dict[str, Any]]
) -> None:
    """INSERT rows sharing `constants` in one executemany.

    On SQLite straight through the driver, each value converted by its column type as SQLAlchemy would
    (the constants once): SQLAlchemy's per-row parameter handling costs more than SQLite's own work, and
    it holds the interpreter lock that the duplicate check of the next batch needs meanwhile.
    """
    if not is_sqlite(connection):
        connection.execute(insert(table), [constants | row for row in rows])
        return
    dialect = connection.dialect

    def processor(name: str) -> Callable[[Any], Any] | None:
        column_type = table.c[name].type
        return column_type.dialect_impl(dialect).bind_processor(dialect)

    shared = tuple(
        (convert(value) if (convert := processor(name)) else value) for name, value in constants.items()
    )
    names = list(rows[0])
    converters = [(position, convert) for position, name in enumerate(names) if (convert := processor(name))]
    parameters: list[tuple[Any, ...]] = []
    for row in rows:
        values = [row[name] for name in names]
        for position, convert in converters:
            values[position] = convert(values[position])
        parameters.append(shared + tuple(values))
    columns = ", ".join(f'"{name}"' for name in (*constants, *names))
    row_placeholders = "(" + ", ".join("?" for _ in range(len(constants) + len(names))) + ")"
    driver = connection.connection.driver_connection
    assert driver is not None
    # Many rows per statement: the driver takes the interpreter lock back after every statement, and
    # with the duplicate check of the next batch running beside this, each take is a wait.
    per_statement = max(1, SQLITE_MAX_PARAMETERS // (len(constants) + len(names)))
    for start in range(0, len(parameters), per_statement):
        part = parameters[start : start + per_statement]
        statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ' + ", ".join(
            [row_placeholders] * len(part)
        )
        driver.execute(statement, tuple(chain.from_iterable(part)))
