"""The demo's clock: everything is seeded now, through the real services, and then moved to the
moment the demo says it happened (``demo.requests``)."""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import datetime

from django.utils import timezone


class Clock:
    """Maps the moment each step really ran to the moment the demo says it happened.

    ``at(planned)`` marks that what runs next happened at ``planned``; afterwards every
    timestamp written in between is moved there (keeping the milliseconds between rows of one
    step, so their order holds)."""

    def __init__(self) -> None:
        self.real: list[datetime] = []
        self.planned: list[datetime] = []

    def at(self, planned: datetime) -> None:
        self.real.append(timezone.now())
        self.planned.append(planned)

    def __call__(self, real: datetime | None) -> datetime | None:
        if real is None:
            return None
        i = bisect_right(self.real, real) - 1
        if i < 0:
            return real
        return self.planned[i] + (real - self.real[i])


class Timeline:
    """Evenly spread, slightly jittered moments between a request's start and end."""

    def __init__(self, rng: random.Random, start: datetime, end: datetime, steps: int = 9) -> None:
        self.rng, self.start, self.end, self.steps, self.i = rng, start, end, steps, 0

    def next(self) -> datetime:
        self.i += 1
        fraction = min(1.0, (self.i + self.rng.random() * 0.6) / (self.steps + 1))
        return self.start + (self.end - self.start) * fraction
