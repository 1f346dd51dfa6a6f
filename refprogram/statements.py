"""Querysets compiled once and run many times with a different list of ids.

Building a queryset with a few annotations and compiling it to SQL costs Django about a
millisecond, often more than PostgreSQL needs to run it for a hundred rows. The match list runs
the same handful of statements for every request, only for other profiles; :func:`compiled`
builds and compiles each once per key (what the statement depends on: the day, the policy, the
activity…) and :func:`run` executes it with the ids of the moment, as one array parameter.

Statements run through Django's cursor wrapper, so query counts, logging and execute wrappers see
them, but with the parameters bound by the server and the statement **prepared** on the
connection the first time it runs there (the rest of Django binds on the client and never
prepares): PostgreSQL then parses and plans each statement once per connection, not once per
request, which halves the time of the match list's batch statements (measured at 100,000
customers, ``benchmarks/README.md``). :func:`rows` runs any other ``values_list`` queryset the same
way (the match list's candidate read: the same SQL for every request of the same shape). Prepared
statements need a session-level connection (a direct one, or a pooler in session mode; PgBouncer
from 1.21 also in transaction mode). Values come back as the database driver gives them (dates,
numbers, text, booleans), without model converters: use it for columns of those kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
from django.db.backends.utils import CursorWrapper
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

# Where the ids go among a compiled statement's parameters.
_IDS = object()
_CACHE: dict[tuple, Statement] = {}
CACHE_SIZE = 128


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple
    names: tuple[str, ...]
    at: int  # the index of the ids parameter


def ids_in(field: str) -> Q:
    """``field`` among the ids :func:`run` is given (one array parameter, however many ids)."""
    return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (_IDS,))})


def compiled(key: tuple, build: Callable[[], tuple[QuerySet, list[str]]]) -> Statement:
    """The statement of ``build()`` (a queryset filtered with :func:`ids_in` and the names of the
    columns to read), compiled on first use for ``key``."""
    if key not in _CACHE:
        qs, names = build()
        qs = qs.values(*names)
        sql, params = qs.query.sql_with_params()
        if list(qs.query.selected) != list(names):  # the columns come in the order asked for
            raise ValueError(f"columns out of order: {list(qs.query.selected)} != {names}")
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = Statement(sql, tuple(params), tuple(names), list(params).index(_IDS))
    return _CACHE[key]


class _LoggedCursor(CursorDebugWrapper):
    """Django's query log for a server binding cursor: the statement with its values in place (the
    log's own way reads a client binding cursor's last query, which this cursor does not keep)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


def _prepared_cursor():
    """A Django cursor (counted, logged, wrapped like any other) whose statements the server binds
    and prepares on first use: the connection's ``prepare_threshold`` is 0, which only server
    binding cursors read (Django's own client binding cursors never prepare)."""
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold != 0:
        raw.prepare_threshold = 0
    cursor = ServerBindingCursor(raw)
    return _LoggedCursor(cursor, connection) if connection.queries_logged else connection.make_cursor(cursor)


def rows(qs: QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` queryset of plain columns (numbers, text, dates), through the
    same prepared path: statements of the same shape (the same SQL, other values) are planned
    once per connection. Django compiles ``qs`` as usual; its model converters are not applied."""
    sql, params = qs.query.sql_with_params()
    with _prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def run(statement: Statement, ids) -> list[dict]:
    """The statement's rows for these ids, as dicts of its column names (a prepared statement)."""
    params = list(statement.params)
    params[statement.at] = sorted(ids)
    with _prepared_cursor() as cursor:
        cursor.execute(statement.sql, params)
        return [dict(zip(statement.names, row, strict=True)) for row in cursor.fetchall()]
