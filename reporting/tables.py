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

from references.choices import NominationSource
from requests_app.choices import UnmetReason

DIMENSION_LABELS = {
    "industry": "Industry",
    "product_line": "Product line",
    "region": "Region",
    "activity_type": "Activity type",
}
REASON_LABELS = {**dict(UnmetReason.choices), "unspecified": "No reason recorded"}


@dataclass
class Table:
    name: str
    title: str
    columns: list[tuple[str, str, str]]  # (key, heading, kind)
    rows: list[list] = field(default_factory=list)
    kinds: list[list[str]] | None = None  # per-cell kinds when rows mix kinds (metric tables)

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
    columns = [("metric", "Metric", "text"), ("current", "This period", "num")]
    if previous is not None:
        columns.append(("previous", "Previous period", "num"))
    rows, kinds = [], []
    for key, label, kind in metrics:
        row = [label, current.get(key)]
        if previous is not None:
            row.append(previous.get(key))
        rows.append(row)
        kinds.append(["text"] + [kind] * (len(row) - 1))
    return Table(name, title, columns, rows, kinds)


REQUEST_METRICS = [
    ("received", "Requests received", "int"),
    ("fulfilled", "Fulfilled", "int"),
    ("unfulfilled", "Closed unfulfilled", "int"),
    ("cancelled", "Cancelled", "int"),
    ("fulfilment_rate", "Fulfilment rate", "pct"),
    ("median_days_to_fulfil", "Median days to fulfil", "days"),
    ("p90_days_to_fulfil", "90th percentile days to fulfil", "days"),
    ("fulfilled_on_time", "Fulfilled by the needed-by date", "int"),
    ("on_time_share", "Share fulfilled on time", "pct"),
]
REVENUE_METRICS = [
    ("influenced_revenue", "Influenced revenue (won amounts)", "money"),
    ("won", "Referenced opportunities won", "int"),
    ("lost", "Referenced opportunities lost", "int"),
    ("win_rate", "Win rate", "pct"),
    ("average_deal_size", "Average deal size", "money"),
]
INVENTORY_METRICS = [
    ("in_catalog", "References in the catalog", "int"),
    ("active", "Active", "int"),
    ("resting", "Resting", "int"),
    ("resting_at_cap", "Resting at their cap", "int"),
    ("near_cap", "Near their cap", "int"),
    ("at_cap", "At their cap (reference or customer)", "int"),
    ("stale", "Stale (to re-validate)", "int"),
    ("activated", "Activated in the period", "int"),
    ("retired", "Retired in the period", "int"),
    ("net_growth", "Net growth in the period", "int"),
    ("asks", "Asks in the ledger", "int"),
    ("overrides", "Overrides", "int"),
    ("over_asks", "Over-asks (must be zero)", "int"),
]


def t_requests(s):
    r = s["requests"]
    return _metric_table("requests", "Requests", REQUEST_METRICS, r["current"], r["previous"])


def t_unfulfilled_reasons(s):
    cur, prev = (
        s["requests"]["current"]["unfulfilled_by_reason"],
        s["requests"]["previous"]["unfulfilled_by_reason"],
    )
    reasons = sorted(set(cur) | set(prev))
    return Table(
        "unfulfilled_reasons",
        "Closed unfulfilled, by reason",
        [
            ("reason", "Reason", "text"),
            ("current", "This period", "int"),
            ("previous", "Previous period", "int"),
        ],
        [[REASON_LABELS.get(k, k), cur.get(k, 0), prev.get(k, 0)] for k in reasons],
    )


def t_time_to_fulfil(s):
    return Table(
        "time_to_fulfil",
        "Time to fulfil against each activity type's lead time",
        [
            ("activity_type", "Activity type", "text"),
            ("lead_time_days", "Lead time (days)", "int"),
            ("fulfilled", "Fulfilled", "int"),
            ("median_days", "Median days", "days"),
            ("p90_days", "90th percentile days", "days"),
            ("within_lead_time", "Within lead time", "int"),
            ("within_lead_time_share", "Share within lead time", "pct"),
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
    return _metric_table("revenue", "Influenced revenue", REVENUE_METRICS, r["current"], r["previous"])


def t_supply_demand(s):
    return Table(
        "supply_demand",
        "Supply against demand: where to recruit",
        [
            ("rank", "Rank", "int"),
            ("dimension", "Dimension", "text"),
            ("segment", "Segment", "text"),
            ("requests", "Requests", "int"),
            ("available", "Available references", "int"),
            ("unmet", "Unmet demand", "int"),
            ("short_by", "Short by", "short"),
            ("requests_per_reference", "Requests per reference", "ratio"),
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
        "Requests against available references, by industry and region",
        [
            ("industry", "Industry", "text"),
            ("region", "Region", "text"),
            ("requests", "Requests", "int"),
            ("available", "Available references", "int"),
            ("gap", "Requests minus references", "int"),
        ],
        rows,
    )


def t_coverage(s):
    return Table(
        "coverage",
        "Coverage against strategic targets",
        [
            ("dimension", "Dimension", "text"),
            ("segment", "Segment", "text"),
            ("target_share", "Target %", "share"),
            ("actual_share", "Actual %", "share"),
            ("references", "References", "int"),
            ("gap", "Gap (points)", "points"),
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
        "inventory", "Health of the inventory", INVENTORY_METRICS, inv["current"], inv["previous"]
    )


def t_most_used(s):
    return Table(
        "most_used",
        "Most-used references in the period",
        [
            ("contact", "Reference", "link"),
            ("customer", "Customer", "link"),
            ("asks", "Asks", "int"),
            ("points", "Points", "int"),
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
    rows.append(["All sources", f["submitted"], f["vetting"], f["accepted"], f["rejected"], f["total"]])
    return Table(
        "nominations",
        "Nominations received in the period, by source, and where they stand",
        [
            ("source", "Source", "text"),
            ("submitted", "Submitted", "int"),
            ("vetting", "Vetting", "int"),
            ("accepted", "Accepted", "int"),
            ("rejected", "Rejected", "int"),
            ("total", "Total", "int"),
        ],
        rows,
    )


def t_approvals(s):
    a = s["approvals"]
    return _metric_table(
        "approvals",
        "Public-use approvals",
        [
            ("pending", "Pending (requested or in review)", "int"),
            ("expiring_30_days", "Expiring within 30 days", "int"),
            ("approved", "Approved in the period", "int"),
            ("declined", "Declined in the period", "int"),
        ],
        a,
    )


def t_satisfaction(s):
    cur, prev = s["satisfaction"]["current"], s["satisfaction"]["previous"]
    rows = [
        [f"{n} star{'s' if n != '1' else ''}", cur["distribution"][n], prev["distribution"][n]]
        for n in "54321"
    ]
    kinds = [["text", "int", "int"]] * 5
    rows += [["Ratings", cur["count"], prev["count"]], ["Average rating", cur["average"], prev["average"]]]
    kinds += [["text", "int", "int"], ["text", "rating", "rating"]]
    now, then = cur["after_activity"], prev["after_activity"]
    rows += [
        ["After the activity: requesters' ratings", now["requester_count"], then["requester_count"]],
        ["After the activity: requesters' average", now["requester_average"], then["requester_average"]],
        ["After the activity: references' ratings", now["reference_count"], then["reference_count"]],
        ["After the activity: references' average", now["reference_average"], then["reference_average"]],
        ["References who would do it again", now["would_do_again"], then["would_do_again"]],
        ["Activities that did not happen", now["did_not_happen"], then["did_not_happen"]],
    ]
    kinds += [["text", "int", "int"], ["text", "rating", "rating"]] * 2
    kinds += [["text", "pct", "pct"], ["text", "int", "int"]]
    return Table(
        "satisfaction",
        "Requester ratings of the reference experience",
        [
            ("rating", "Rating", "text"),
            ("current", "This period", "num"),
            ("previous", "Previous period", "num"),
        ],
        rows,
        kinds,
    )


def t_trends(s):
    return Table(
        "trends",
        "Monthly trends (from the nightly snapshots)",
        [
            ("month", "Month", "text"),
            ("received", "Received", "int"),
            ("fulfilled", "Fulfilled", "int"),
            ("unfulfilled", "Unfulfilled", "int"),
            ("cancelled", "Cancelled", "int"),
            ("over_asks", "Over-asks", "int"),
            ("overrides", "Overrides", "int"),
            ("active", "Active (month end)", "int"),
            ("resting", "Resting", "int"),
            ("stale", "Stale", "int"),
            ("near_cap", "Near cap", "int"),
            ("approvals_pending", "Approvals pending", "int"),
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


BUCKET_WORDS = {"day": "Day", "week": "Week of", "month": "Month"}


def t_series(s):
    series = s.get("series") or {"bucket": "day", "points": []}
    revenue = s["revenue"] is not None
    columns = [
        ("start", BUCKET_WORDS[series["bucket"]], "text"),
        ("received", "Requests received", "int"),
        ("fulfilled", "Fulfilled", "int"),
        ("asks", "Asks in the ledger", "int"),
    ]
    if revenue:
        columns.append(("influenced_revenue", "Influenced revenue", "money"))
    return Table(
        "series",
        "The period, "
        + {"day": "day by day", "week": "week by week", "month": "month by month"}[series["bucket"]],
        columns,
        [[p.get(key) for key, _, _ in columns] for p in series["points"]],
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
        ("received", "Received"),
        ("fulfilled", "Fulfilled"),
        ("unfulfilled", "Unfulfilled"),
        ("cancelled", "Cancelled"),
    ]
    top = [r for r in summary["supply_demand"] if r["requests"] or r["unmet"]][:10]
    out = {
        "requests": {
            "type": "bar",
            "labels": [label for _, label in keys],
            "series": [
                {"name": "This period", "values": [req["current"][k] for k, _ in keys]},
                {"name": "Previous period", "values": [req["previous"][k] for k, _ in keys]},
            ],
        },
        "supply_demand": {
            "type": "hbar",
            "labels": [f"{DIMENSION_LABELS[r['dimension']]}: {r['label']}" for r in top],
            "series": [
                {"name": "Requests", "values": [r["requests"] for r in top]},
                {"name": "Available", "values": [r["available"] for r in top]},
                {"name": "Unmet", "values": [r["unmet"] for r in top]},
            ],
        },
        "coverage": {
            "type": "hbar",
            "labels": [f"{DIMENSION_LABELS[r['dimension']]}: {r['value']}" for r in summary["coverage"]],
            "series": [
                {"name": "Target %", "values": [r["target_share"] for r in summary["coverage"]]},
                {"name": "Actual %", "values": [r["actual_share"] or 0 for r in summary["coverage"]]},
            ],
        },
        "satisfaction": {
            "type": "bar",
            "labels": ["1", "2", "3", "4", "5"],
            "series": [
                {
                    "name": "Ratings",
                    "values": [summary["satisfaction"]["current"]["distribution"][n] for n in "12345"],
                }
            ],
        },
        "nominations": {
            "type": "bar",
            "labels": ["Submitted", "Vetting", "Accepted", "Rejected"],
            "series": [
                {
                    "name": "Nominations",
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
                    "name": "Received",
                    "values": [p["received"] for p in summary.get("series", {}).get("points", [])],
                },
                {
                    "name": "Fulfilled",
                    "values": [p["fulfilled"] for p in summary.get("series", {}).get("points", [])],
                },
            ],
        },
        "revenue": {
            "type": "bar",
            "labels": [p["start"][5:] for p in summary.get("series", {}).get("points", [])],
            "series": [
                {
                    "name": "Influenced revenue",
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
                {"name": "Received", "values": [m["received"] for m in summary["trends"]]},
                {"name": "Fulfilled", "values": [m["fulfilled"] for m in summary["trends"]]},
                {"name": "Active references", "values": [m.get("active") or 0 for m in summary["trends"]]},
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
            for _, heading, kind in table.columns
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
