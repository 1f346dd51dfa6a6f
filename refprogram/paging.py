"""Pages of long lists whose rows carry per-row figures (a reference's capacity today).

Slicing such a queryset with ``OFFSET`` makes the database compute every row's figures up to
the page, so page 1,200 of the inventory took seconds. :class:`KeysFirstPaginator` reads the
page's keys first, with only the columns the filters and the sort need, and then the full rows
of those 50 keys: any page costs about what the first one does.

How the keys are read depends on how many rows match (the paginator counts them first). A few
thousand or fewer: all their keys in order, sliced here; the database then filters first (through
the indexes of the filters) and sorts what matched. More: only the page's slice, so the database
can walk the sort's index and stop after one page. Asked for one page of a selective search, the
planner may walk the sort's index anyway and test most of the table row by row before it finds
50 matches; the count tells us which way is cheap.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet

from refprogram.api import Pagination

# Up to this many matching rows, all their keys are read and the page is sliced in Python.
FILTER_FIRST_MAX_ROWS = 5_000


class KeysFirstPaginator(Paginator):
    def page(self, number):
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ordered_keys = self.object_list.values_list("pk", flat=True)
        if self.count <= FILTER_FIRST_MAX_ROWS:
            keys = list(ordered_keys)[bottom:top]
        else:
            keys = list(ordered_keys[bottom:top])
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=keys)}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


class KeysFirstPagination(Pagination):
    """The API's pagination (`?page=`, `?page_size=` up to 200) over :class:`KeysFirstPaginator`."""

    django_paginator_class = KeysFirstPaginator
