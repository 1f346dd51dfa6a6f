"""Querysets compiled once and run many times with a different list of ids.

Building a queryset with a few annotations and compiling it to SQL costs Django about a
millisecond, often more than PostgreSQL needs to run it for a hundred rows. The match list runs
the same handful of statements for every request, only for other profiles; :func:`compiled`
builds and compiles each once per key (what the statement depends on: the day, the policy, the
activity…) and :func:`run` executes it with the ids of the moment, as one array parameter.

Statements run through Django's cursor, so query counts and logging see them. Values come back
as the database driver gives them (dates, numbers, text, booleans), without model converters:
use it for columns of those kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
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


def run(statement: Statement, ids) -> list[dict]:
    """The statement's rows for these ids, as dicts of its column names."""
    params = list(statement.params)
    params[statement.at] = sorted(ids)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        return [dict(zip(statement.names, row, strict=True)) for row in cursor.fetchall()]
