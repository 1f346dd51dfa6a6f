"""Bulk writing for the demo seed: rows as plain tuples with ids reserved from each table's
sequence, written with PostgreSQL's ``COPY``; the full-text and trigram indexes dropped for a
big load and built once at the end."""

from __future__ import annotations

from django.db import connection
from psycopg.types.json import Jsonb


class Table:
    """Rows of one table as plain tuples, written with PostgreSQL's ``COPY``.

    Ids are reserved up front from the table's sequence so that rows can point at each other
    before they are written: no model instances and no round trip per row.
    """

    def __init__(self, model, now):
        self.model = model
        self.table = model._meta.db_table
        fields = model._meta.concrete_fields
        self.columns = [f.column for f in fields]
        self.attnames = [f.attname for f in fields]
        self.defaults = {}
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            elif f.has_default():
                default = f.get_default()
                if isinstance(default, dict | list):  # a JSON column (``custom``): COPY needs it wrapped
                    default = Jsonb(default)
                self.defaults[f.attname] = (
                    now if callable(f.default) and f.attname.endswith("_at") else default
                )
            else:
                self.defaults[f.attname] = "" if f.empty_strings_allowed and not f.null else None
        self.rows: list[tuple] = []
        self.reserved: list[int] = []

    def reserve(self, count: int) -> None:
        """Take ``count`` ids from the table's sequence for the rows about to be added."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [connection.ops.quote_name(self.table), count],
            )
            self.reserved = [r[0] for r in cursor.fetchall()]
        self.reserved.reverse()

    def add(self, **values) -> int:
        pk = self.reserved.pop()
        values["id"] = pk
        self.rows.append(tuple(values.get(a, self.defaults[a]) for a in self.attnames))
        return pk

    def flush(self) -> int:
        written = len(self.rows)
        copy_rows(self.table, self.columns, self.rows)
        self.rows = []
        return written


def copy_rows(table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert_pairs(model, field_name: str, rows: list[tuple]) -> None:
    """Insert many-to-many rows straight into the through table."""
    m2m = model._meta.get_field(field_name)
    through = m2m.remote_field.through
    owner = through._meta.get_field(m2m.m2m_field_name()).column
    target = through._meta.get_field(m2m.m2m_reverse_field_name()).column
    copy_rows(through._meta.db_table, [owner, target], rows)


# Expression and GIN indexes that cost far more to maintain row by row than to build once at the
# end. (Each ``COPY`` of profiles also writes their matching rows, ``references.MatchingRow``, in
# one trigger call: migration 0014.)
BULK_BUILT_INDEXES = (
    "profile_search_vector",
    "profile_facet_keys",
    "customer_name_trgm",
    "matching_row_codes",
)


def drop_bulk_built_indexes() -> list[str]:
    """Drop the full-text and trigram indexes for the load and return their definitions to build
    again afterwards (in the same transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND indexname = ANY(%s)",
            [list(BULK_BUILT_INDEXES)],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _, definition in found]


def build_indexes(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        if not definitions:
            return
        # The deferred foreign-key checks of the load must run before an index can be built.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
