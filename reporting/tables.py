"""The dashboard's tables, built from :func:`reporting.metrics.program_summary`.

One definition serves the page (each chart's numbers as a table) and the CSV export, so the
two always show the same figures. A column has a key, a heading and a kind (``int``, ``pct``,
``days``, ``money``, ``num``, ``text``) that says how the page formats it; the CSV holds the raw
value (an empty cell where a rate has nothing to divide by; text that a spreadsheet would run as
a formula escaped by ``refprogram.csvsafe``). The revenue table is built only for roles that
may see revenue (``include_revenue``), and its CSV is refused to the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.terms import word
from references.choices import NominationSource
from requests_app.choices import UnmetReason

DIMENSION_LABELS = {
    "industry": _("Industry"),
    "product_line": _("Product line"),
    "region": _("Region"),
    "activity_type": _("Activity type"),
}
REASON_LABELS = {**dict(UnmetReason.choices), "unspecified": _("No reason recorded")}


@dataclass
class Table:
    name: str
    title: str
    columns: list[tuple[str, str, str]]  # (key, heading, kind)
    rows: list[list] = field(default_factory=list)
    kinds: list[list[str]] | None = None  # per-cell kinds when rows mix kinds (metric tables)

    def __post_init__(self):
        # Titles, headings and row labels are marked for translation: they read in the language
        # of the page (or the export) being built.
        self.title = str(self.title)
        self.columns = [(key, str(heading), kind) for key, heading, kind in self.columns]
        self.rows = [[str(v) if isinstance(v, Promise) else v for v in row] for row in self.rows]

    def plain_rows(self) -> list[list]:
        """Rows for a file (CSV, workbook): a link is its text."""
        return [[v["text"] if isinstance(v, dict) else v for v in row] for row in self.rows]

    def cells(self) -> list[list[tuple]]:
        """Rows of (value, kind) for the template."""
        out = []
        for i, row in enumerate(self.rows):
            kinds = self.kinds[i] if self.kinds else [c[2] for c in self.columns]
            out.append(list(zip(row, kinds, strict=True)))
        return out


def _metric_table(name, title, metrics, current, previous=None) -> Table:
    """Rows of (label, this period, previous period) for a list of (key, label, kind)."""
    columns = [("metric", _("Metric"), "text"), ("current", _("This period"), "num")]
    if previous is not None:
        columns.append(("previous", _("Previous period"), "num"))
    rows, kinds = [], []
    for key, label, kind in metrics:
        row = [label, current.get(key)]
        if previous is not None:
            row.append(previous.get(key))
        rows.append(row)
        kinds.append(["text"] + [kind] * (len(row) - 1))
    return Table(name, title, columns, rows, kinds)


REQUEST_METRICS = [
    ("received", _("Requests received"), "int"),
    ("fulfilled", _("Fulfilled"), "int"),
    ("unfulfilled", _("Closed unfulfilled"), "int"),
    ("cancelled", _("Cancelled"), "int"),
    ("fulfilment_rate", _("Fulfilment rate"), "pct"),
    ("median_days_to_fulfil", _("Median days to fulfil"), "days"),
    ("p90_days_to_fulfil", _("90th percentile days to fulfil"), "days"),
    ("fulfilled_on_time", _("Fulfilled by the needed-by date"), "int"),
    ("on_time_share", _("Share fulfilled on time"), "pct"),
]
REVENUE_METRICS = [
    ("influenced_revenue", _("Influenced revenue (won amounts)"), "money"),
    ("won", _("Referenced opportunities won"), "int"),
    ("lost", _("Referenced opportunities lost"), "int"),
    ("win_rate", _("Win rate"), "pct"),
    ("average_deal_size", _("Average deal size"), "money"),
]
INVENTORY_METRICS = [
    ("in_catalog", _("References in the catalog"), "int"),
    ("active", _("Active"), "int"),
    ("resting", _("Resting"), "int"),
    ("resting_at_cap", _("Resting at their cap"), "int"),
    ("near_cap", _("Near their cap"), "int"),
    ("at_cap", _("At their cap (reference or customer)"), "int"),
    ("stale", _("Stale (to re-validate)"), "int"),
    ("activated", _("Activated in the period"), "int"),
    ("retired", _("Retired in the period"), "int"),
    ("net_growth", _("Net growth in the period"), "int"),
    ("asks", _("Asks in the ledger"), "int"),
    ("overrides", _("Overrides"), "int"),
    ("over_asks", _("Over-asks (must be zero)"), "int"),
]


def t_requests(s):
    r = s["requests"]
    return _metric_table("requests", _("Requests"), REQUEST_METRICS, r["current"], r["previous"])


def t_unfulfilled_reasons(s):
    cur, prev = (
        s["requests"]["current"]["unfulfilled_by_reason"],
        s["requests"]["previous"]["unfulfilled_by_reason"],
    )
    reasons = sorted(set(cur) | set(prev))
    return Table(
        "unfulfilled_reasons",
        _("Closed unfulfilled, by reason"),
        [
            ("reason", _("Reason"), "text"),
            ("current", _("This period"), "int"),
            ("previous", _("Previous period"), "int"),
        ],
        [[REASON_LABELS.get(k, k), cur.get(k, 0), prev.get(k, 0)] for k in reasons],
    )


def t_time_to_fulfil(s):
    return Table(
        "time_to_fulfil",
        _("Time to fulfil against each activity type's lead time"),
        [
            ("activity_type", _("Activity type"), "text"),
            ("lead_time_days", _("Lead time (days)"), "int"),
            ("fulfilled", _("Fulfilled"), "int"),
            ("median_days", _("Median days"), "days"),
            ("p90_days", _("90th percentile days"), "days"),
            ("within_lead_time", _("Within lead time"), "int"),
            ("within_lead_time_share", _("Share within lead time"), "pct"),
        ],
        [
            [
                r["name"],
                r["lead_time_days"],
                r["fulfilled"],
                r["median_days"],
                r["p90_days"],
                r["within_lead_time"],
                r["within_lead_time_share"],
            ]
            for r in s["requests"]["current"]["by_activity_type"]
        ],
    )


def t_revenue(s):
    r = s["revenue"]
    if r is None:
        return None
    return _metric_table("revenue", _("Influenced revenue"), REVENUE_METRICS, r["current"], r["previous"])


def t_supply_demand(s):
    return Table(
        "supply_demand",
        _("Supply against demand: where to recruit"),
        [
            ("rank", _("Rank"), "int"),
            ("dimension", _("Dimension"), "text"),
            ("segment", _("Segment"), "text"),
            ("requests", _("Requests"), "int"),
            ("available", _("Available references"), "int"),
            ("unmet", _("Unmet demand"), "int"),
            ("short_by", _("Short by"), "short"),
            ("requests_per_reference", _("Requests per reference"), "ratio"),
        ],
        [
            [
                r["rank"],
                DIMENSION_LABELS[r["dimension"]],
                r["label"],
                r["requests"],
                r["available"],
                r["unmet"],
                r["short_by"],
                r["requests_per_reference"],
            ]
            for r in s["supply_demand"]
        ],
    )


def t_heatmap(s):
    h = s["heatmap"]
    rows = []
    for line in h["rows"]:
        for region, cell in zip(h["regions"], line["cells"], strict=True):
            if cell["requests"] or cell["available"]:
                rows.append(
                    [line["label"], region["label"], cell["requests"], cell["available"], cell["gap"]]
                )
    return Table(
        "heatmap",
        _("Requests against available references, by industry and region"),
        [
            ("industry", _("Industry"), "text"),
            ("region", _("Region"), "text"),
            ("requests", _("Requests"), "int"),
            ("available", _("Available references"), "int"),
            ("gap", _("Requests minus references"), "int"),
        ],
        rows,
    )


def t_coverage(s):
    return Table(
        "coverage",
        _("Coverage against strategic targets"),
        [
            ("dimension", _("Dimension"), "text"),
            ("segment", _("Segment"), "text"),
            ("target_share", _("Target %"), "share"),
            ("actual_share", _("Actual %"), "share"),
            ("references", word("references"), "int"),
            ("gap", _("Gap (points)"), "points"),
        ],
        [
            [
                DIMENSION_LABELS[r["dimension"]],
                r["value"],
                r["target_share"],
                r["actual_share"],
                r["references"],
                r["gap"],
            ]
            for r in s["coverage"]
        ],
    )


def t_inventory(s):
    inv = s["inventory"]
    return _metric_table(
        "inventory", _("Health of the inventory"), INVENTORY_METRICS, inv["current"], inv["previous"]
    )


def t_most_used(s):
    return Table(
        "most_used",
        _("Most-used references in the period"),
        [
            ("contact", word("reference"), "link"),
            ("customer", word("customer"), "link"),
            ("asks", _("Asks"), "int"),
            ("points", _("Points"), "int"),
        ],
        [
            [
                {"text": r["contact"], "url": reverse("profile-detail", args=[r["reference"]])},
                {
                    "text": r["customer"],
                    "url": reverse("customer-detail", args=[r["customer_id"]])
                    if r.get("customer_id")
                    else "",
                },
                r["asks"],
                r["points"],
            ]
            for r in s["most_used"]
        ],
    )


def t_nominations(s):
    n = s["nominations"]
    labels = dict(NominationSource.choices)
    rows = [
        [
            labels.get(r["source"], r["source"]),
            r["submitted"],
            r["vetting"],
            r["accepted"],
            r["rejected"],
            r["total"],
        ]
        for r in n["by_source"]
    ]
    f = n["funnel"]
    rows.append([_("All sources"), f["submitted"], f["vetting"], f["accepted"], f["rejected"], f["total"]])
    return Table(
        "nominations",
        _("Nominations received in the period, by source, and where they stand"),
        [
            ("source", _("Source"), "text"),
            ("submitted", _("Submitted"), "int"),
            ("vetting", _("Vetting"), "int"),
            ("accepted", _("Accepted"), "int"),
            ("rejected", _("Rejected"), "int"),
            ("total", _("Total"), "int"),
        ],
        rows,
    )


def t_approvals(s):
    a = s["approvals"]
    return _metric_table(
        "approvals",
        _("Public-use approvals"),
        [
            ("pending", _("Pending (requested or in review)"), "int"),
            ("expiring_30_days", _("Expiring within 30 days"), "int"),
            ("approved", _("Approved in the period"), "int"),
            ("declined", _("Declined in the period"), "int"),
        ],
        a,
    )


def t_satisfaction(s):
    cur, prev = s["satisfaction"]["current"], s["satisfaction"]["previous"]
    rows = [
        [
            ngettext("%(n)s star", "%(n)s stars", int(n)) % {"n": n},
            cur["distribution"][n],
            prev["distribution"][n],
        ]
        for n in "54321"
    ]
    kinds = [["text", "int", "int"]] * 5
    rows += [
        [_("Ratings"), cur["count"], prev["count"]],
        [_("Average rating"), cur["average"], prev["average"]],
    ]
    kinds += [["text", "int", "int"], ["text", "rating", "rating"]]
    now, then = cur["after_activity"], prev["after_activity"]
    rows += [
        [_("After the activity: requesters' ratings"), now["requester_count"], then["requester_count"]],
        [_("After the activity: requesters' average"), now["requester_average"], then["requester_average"]],
        [_("After the activity: references' ratings"), now["reference_count"], then["reference_count"]],
        [_("After the activity: references' average"), now["reference_average"], then["reference_average"]],
        [_("References who would do it again"), now["would_do_again"], then["would_do_again"]],
        [_("Activities that did not happen"), now["did_not_happen"], then["did_not_happen"]],
    ]
    kinds += [["text", "int", "int"], ["text", "rating", "rating"]] * 2
    kinds += [["text", "pct", "pct"], ["text", "int", "int"]]
    return Table(
        "satisfaction",
        _("Requester ratings of the reference experience"),
        [
            ("rating", _("Rating"), "text"),
            ("current", _("This period"), "num"),
            ("previous", _("Previous period"), "num"),
        ],
        rows,
        kinds,
    )


def t_trends(s):
    return Table(
        "trends",
        _("Monthly trends (from the nightly snapshots)"),
        [
            ("month", _("Month"), "text"),
            ("received", _("Received"), "int"),
            ("fulfilled", _("Fulfilled"), "int"),
            ("unfulfilled", _("Unfulfilled"), "int"),
            ("cancelled", _("Cancelled"), "int"),
            ("over_asks", _("Over-asks"), "int"),
            ("overrides", _("Overrides"), "int"),
            ("active", _("Active (month end)"), "int"),
            ("resting", _("Resting"), "int"),
            ("stale", _("Stale"), "int"),
            ("near_cap", _("Near cap"), "int"),
            ("approvals_pending", _("Approvals pending"), "int"),
        ],
        [
            [
                m["month"],
                m["received"],
                m["fulfilled"],
                m["unfulfilled"],
                m["cancelled"],
                m["over_asks"],
                m["overrides"],
                m.get("active"),
                m.get("resting"),
                m.get("stale"),
                m.get("near_cap"),
                m.get("approvals_pending"),
            ]
            for m in s["trends"]
        ],
    )


BUCKET_WORDS = {"day": _("Day"), "week": _("Week of"), "month": _("Month")}
SERIES_TITLES = {
    "day": _("The period, day by day"),
    "week": _("The period, week by week"),
    "month": _("The period, month by month"),
}


def t_series(s):
    series = s.get("series") or {"bucket": "day", "points": []}
    revenue = s["revenue"] is not None
    columns = [
        ("start", BUCKET_WORDS[series["bucket"]], "text"),
        ("received", _("Requests received"), "int"),
        ("fulfilled", _("Fulfilled"), "int"),
        ("asks", _("Asks in the ledger"), "int"),
    ]
    if revenue:
        columns.append(("influenced_revenue", _("Influenced revenue"), "money"))
    return Table(
        "series",
        SERIES_TITLES[series["bucket"]],
        columns,
        [[p.get(key) for key, _heading, _kind in columns] for p in series["points"]],
    )


TABLES: dict[str, Callable] = {
    "series": t_series,
    "requests": t_requests,
    "unfulfilled_reasons": t_unfulfilled_reasons,
    "time_to_fulfil": t_time_to_fulfil,
    "revenue": t_revenue,
    "supply_demand": t_supply_demand,
    "heatmap": t_heatmap,
    "coverage": t_coverage,
    "inventory": t_inventory,
    "most_used": t_most_used,
    "nominations": t_nominations,
    "approvals": t_approvals,
    "satisfaction": t_satisfaction,
    "trends": t_trends,
}
REVENUE_TABLES = {"revenue"}


def build(name: str, summary: dict) -> Table | None:
    return TABLES[name](summary)


def build_all(summary: dict) -> dict[str, Table]:
    return {name: t for name, fn in TABLES.items() if (t := fn(summary)) is not None}


def charts(summary: dict) -> dict[str, dict]:
    """Chart data for ``static/js/charts.js`` (passed with ``json_script``): labels and series."""
    req = summary["requests"]
    keys = [
        ("received", _("Received")),
        ("fulfilled", _("Fulfilled")),
        ("unfulfilled", _("Unfulfilled")),
        ("cancelled", _("Cancelled")),
    ]
    top = [r for r in summary["supply_demand"] if r["requests"] or r["unmet"]][:10]
    out = {
        "requests": {
            "type": "bar",
            "labels": [label for _key, label in keys],
            "series": [
                {"name": _("This period"), "values": [req["current"][k] for k, _label in keys]},
                {"name": _("Previous period"), "values": [req["previous"][k] for k, _label in keys]},
            ],
        },
        "supply_demand": {
            "type": "hbar",
            "labels": [f"{DIMENSION_LABELS[r['dimension']]}: {r['label']}" for r in top],
            "series": [
                {"name": _("Requests"), "values": [r["requests"] for r in top]},
                {"name": _("Available"), "values": [r["available"] for r in top]},
                {"name": _("Unmet"), "values": [r["unmet"] for r in top]},
            ],
        },
        "coverage": {
            "type": "hbar",
            "labels": [f"{DIMENSION_LABELS[r['dimension']]}: {r['value']}" for r in summary["coverage"]],
            "series": [
                {"name": _("Target %"), "values": [r["target_share"] for r in summary["coverage"]]},
                {"name": _("Actual %"), "values": [r["actual_share"] or 0 for r in summary["coverage"]]},
            ],
        },
        "satisfaction": {
            "type": "bar",
            "labels": ["1", "2", "3", "4", "5"],
            "series": [
                {
                    "name": _("Ratings"),
                    "values": [summary["satisfaction"]["current"]["distribution"][n] for n in "12345"],
                }
            ],
        },
        "nominations": {
            "type": "bar",
            "labels": [_("Submitted"), _("Vetting"), _("Accepted"), _("Rejected")],
            "series": [
                {
                    "name": _("Nominations"),
                    "values": [
                        summary["nominations"]["funnel"][k]
                        for k in ("submitted", "vetting", "accepted", "rejected")
                    ],
                }
            ],
        },
        "series": {
            "type": "line",
            "labels": [p["start"][5:] for p in summary.get("series", {}).get("points", [])],
            "series": [
                {
                    "name": _("Received"),
                    "values": [p["received"] for p in summary.get("series", {}).get("points", [])],
                },
                {
                    "name": _("Fulfilled"),
                    "values": [p["fulfilled"] for p in summary.get("series", {}).get("points", [])],
                },
            ],
        },
        "revenue": {
            "type": "bar",
            "labels": [p["start"][5:] for p in summary.get("series", {}).get("points", [])],
            "series": [
                {
                    "name": _("Influenced revenue"),
                    "values": [
                        p.get("influenced_revenue", 0) for p in summary.get("series", {}).get("points", [])
                    ],
                }
            ],
        },
        "trends": {
            "type": "line",
            "labels": [m["month"] for m in summary["trends"]],
            "series": [
                {"name": _("Received"), "values": [m["received"] for m in summary["trends"]]},
                {"name": _("Fulfilled"), "values": [m["fulfilled"] for m in summary["trends"]]},
                {"name": _("Active references"), "values": [m.get("active") or 0 for m in summary["trends"]]},
            ],
        },
    }
    return out


XLSX_FORMATS = {
    "int": "#,##0",
    "pct": "0.0%",
    "share": '0.0" %"',
    "points": "+0.0;-0.0;0.0",
    "days": '0.0" d"',
    "money": "#,##0.00",
    "ratio": "0.0",
    "rating": "0.0",
    "short": "#,##0",
}


def workbook(summary: dict, *, title: str) -> bytes:
    """Every table of the dashboard in one ``.xlsx`` workbook, a sheet per table (the same
    tables as the page and the CSVs), numbers as numbers with their format. Text that a
    spreadsheet would run as a formula is kept as text."""
    from io import BytesIO

    from django.conf import settings
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from refprogram.csvsafe import safe_cell

    book = Workbook()
    book.remove(book.active)
    for table in build_all(summary).values():
        sheet = book.create_sheet(table.name[:31])
        sheet.append([title])
        sheet.append([table.title])
        headings = [
            heading + (f" ({settings.PROGRAM_CURRENCY})" if kind == "money" else "")
            for _key, heading, kind in table.columns
        ]
        sheet.append(headings)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for i, row in enumerate(table.plain_rows()):
            kinds = table.kinds[i] if table.kinds else [c[2] for c in table.columns]
            sheet.append([safe_cell(v) if isinstance(v, str) else v for v in row])
            for cell, kind in zip(sheet[sheet.max_row], kinds, strict=True):
                if kind in XLSX_FORMATS and cell.value is not None:
                    cell.number_format = XLSX_FORMATS[kind]
        for column, heading in zip(sheet.columns, headings, strict=False):
            sheet.column_dimensions[column[0].column_letter].width = max(12, min(40, len(heading) + 2))
    out = BytesIO()
    book.save(out)
    return out.getvalue()
