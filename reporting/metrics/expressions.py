"""SQL expressions and rounding shared by the figures."""

from __future__ import annotations

from django.db.models import Aggregate, FloatField, Func

SECONDS_PER_DAY = 86400.0


class SecondsBetween(Func):
    """``end - start`` in seconds, as a float."""

    output_field = FloatField()

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_sql(self, compiler, connection, **extra):
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return f"EXTRACT(EPOCH FROM ({end} - {start}))::double precision", [*end_params, *start_params]


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(f) WITHIN GROUP (ORDER BY x)``: the interpolated percentile."""

    function = "percentile_cont"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        self.fraction = float(fraction)
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra):
        expr, params = compiler.compile(self.source_expressions[0])
        return f"percentile_cont({self.fraction!r}) WITHIN GROUP (ORDER BY {expr})", params


def ratio(part, whole) -> float | None:
    """``part / whole`` to four places, ``None`` when there is nothing to divide by."""
    return None if not whole else round(float(part) / float(whole), 4)


def days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / SECONDS_PER_DAY, 2)


def money(amount) -> float:
    return round(float(amount or 0), 2)
