"""A realistic, deterministic demo program for an empty database (``manage.py seed_demo``).

The same seed gives the same program: every choice comes from one ``random.Random(seed)``
and dates are relative to the day it runs. Built for scale: rows are generated in chunks of
customers and written with bulk inserts (PostgreSQL ``COPY`` for the many-to-many tables),
never a ``save()`` per row. Seeded rows have no change history (bulk inserts skip it).
"""

from __future__ import annotations

import random
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create

from .choices import Deployment, NominationSource, NominationStatus, ProfileStatus, RestingReason, UsageStatus
from .defaults import install as install_defaults
from .facets import facet_text
from .models import (
    ActivityType,
    Contact,
    Customer,
    Industry,
    Nomination,
    Product,
    Program,
    ReferenceProfile,
    Region,
    UsageEntry,
    UseCase,
)

DEMO_PASSWORD = "refprogram-demo"
DEMO_URL = "http://127.0.0.1:8000/"
# username, role, first name, last name
DEMO_USERS = [
    ("manager", "manager", "Maren", "Holt"),
    ("sales", "sales", "Sam", "Rivera"),
    ("sales2", "sales", "Priya", "Natarajan"),
    ("marketing", "marketing", "Lea", "Marchetti"),
    ("executive", "executive", "Evan", "Brooks"),
    ("admin", "admin", "Ada", "Kowalski"),
]

# Product names start with distinct letters so that Python's order is the database's.
PRODUCT_LINES = {
    "Management": [
        "Asset Inventory",
        "Fleet Manager",
        "Patch Manager",
        "Service Desk",
        "Workflow Automation",
    ],
    "Security": [
        "Endpoint Protection",
        "Identity Guard",
        "Threat Detection",
        "Vulnerability Scanner",
        "Zero Trust Access",
    ],
    "Analytics": ["Capacity Planner", "Log Analytics", "Metrics Hub"],
}
LINE_WEIGHTS = [("Management", 60), ("Security", 30), ("Analytics", 10)]
USE_CASES = {
    "Management": [
        "Audit readiness",
        "Device onboarding",
        "Helpdesk automation",
        "IT asset management",
        "License compliance",
        "Patch compliance",
        "Workplace modernization",
    ],
    "Security": [
        "Endpoint hardening",
        "Ransomware protection",
        "Security operations",
        "Threat hunting",
        "Vulnerability management",
        "Zero trust rollout",
    ],
    "Analytics": ["Backup and recovery", "Cloud migration", "Observability"],
}
COMPETITORS = [
    "Legacy Monitor",
    "OldGuard Suite",
    "Patchwise",
    "SecureCorp Endpoint",
    "TicketPro",
    "In-house scripts",
    "Spreadsheets",
    "AssetTrack",
    "",
    "",
]

# country, weight, languages (first is the main one), phone prefix, email TLD, legal forms
COUNTRIES = {
    "na": [
        ("US", 80, ["en", "es"], "+1", "com", ["Inc.", "Corp.", "LLC"]),
        ("CA", 20, ["en", "fr"], "+1", "ca", ["Inc.", "Ltd."]),
    ],
    "emea": [
        ("DE", 22, ["de", "en"], "+49", "de", ["GmbH", "AG"]),
        ("GB", 20, ["en"], "+44", "co.uk", ["Ltd", "plc"]),
        ("FR", 14, ["fr", "en"], "+33", "fr", ["SA", "SAS"]),
        ("NL", 9, ["nl", "en"], "+31", "nl", ["B.V.", "N.V."]),
        ("ES", 8, ["es", "en"], "+34", "es", ["S.A.", "S.L."]),
        ("IT", 8, ["it", "en"], "+39", "it", ["S.p.A.", "S.r.l."]),
        ("SE", 6, ["sv", "en"], "+46", "se", ["AB"]),
        ("CH", 6, ["de", "fr", "en"], "+41", "ch", ["AG", "SA"]),
        ("PL", 4, ["pl", "en"], "+48", "pl", ["S.A.", "Sp. z o.o."]),
        ("AE", 3, ["ar", "en"], "+971", "ae", ["LLC"]),
    ],
    "apac": [
        ("JP", 25, ["ja", "en"], "+81", "jp", ["K.K.", "Co., Ltd."]),
        ("AU", 25, ["en"], "+61", "com.au", ["Pty Ltd"]),
        ("SG", 15, ["en", "zh"], "+65", "sg", ["Pte. Ltd."]),
        ("IN", 20, ["en", "hi"], "+91", "in", ["Pvt. Ltd.", "Ltd."]),
        ("KR", 15, ["ko", "en"], "+82", "kr", ["Co., Ltd."]),
    ],
    "latam": [
        ("BR", 45, ["pt", "en"], "+55", "com.br", ["Ltda.", "S.A."]),
        ("MX", 30, ["es", "en"], "+52", "mx", ["S.A. de C.V."]),
        ("AR", 10, ["es"], "+54", "ar", ["S.A."]),
        ("CL", 8, ["es"], "+56", "cl", ["S.A."]),
        ("CO", 7, ["es"], "+57", "co", ["S.A.S."]),
    ],
}
REGION_WEIGHTS = [("na", 40), ("emea", 35), ("apac", 15), ("latam", 10)]

FIRST_NAMES = {
    "en": [
        "James",
        "Olivia",
        "Michael",
        "Emma",
        "David",
        "Sophia",
        "Daniel",
        "Grace",
        "Ryan",
        "Chloe",
        "Nathan",
        "Megan",
    ],
    "de": [
        "Lukas",
        "Anna",
        "Jonas",
        "Lena",
        "Felix",
        "Katrin",
        "Stefan",
        "Julia",
        "Matthias",
        "Sabine",
        "Tobias",
        "Miriam",
    ],
    "fr": [
        "Julien",
        "Camille",
        "Nicolas",
        "Chloé",
        "Antoine",
        "Élodie",
        "Mathieu",
        "Claire",
        "Thomas",
        "Manon",
    ],
    "nl": ["Daan", "Sanne", "Bram", "Lotte", "Joris", "Femke", "Ruben", "Eva"],
    "es": ["Javier", "Lucía", "Carlos", "María", "Alejandro", "Carmen", "Diego", "Sofía", "Pablo", "Elena"],
    "it": ["Marco", "Giulia", "Luca", "Francesca", "Alessandro", "Chiara", "Matteo", "Sara"],
    "sv": ["Erik", "Linnea", "Oskar", "Maja", "Anders", "Ingrid", "Johan", "Elsa"],
    "pl": ["Piotr", "Anna", "Tomasz", "Katarzyna", "Michał", "Agnieszka", "Paweł", "Magdalena"],
    "ar": ["Omar", "Layla", "Khalid", "Fatima", "Youssef", "Noor", "Hassan", "Mariam"],
    "ja": ["Haruto", "Yui", "Takeshi", "Aiko", "Kenji", "Sakura", "Hiroshi", "Emi"],
    "zh": ["Wei", "Mei", "Jun", "Lin", "Hao", "Xiu", "Chen", "Ying"],
    "hi": ["Arjun", "Priya", "Rahul", "Ananya", "Vikram", "Divya", "Rohan", "Kavya"],
    "ko": ["Minjun", "Seoyeon", "Jihoon", "Jiwoo", "Hyunwoo", "Yuna", "Dongha", "Soomin"],
    "pt": ["João", "Ana", "Pedro", "Beatriz", "Lucas", "Mariana", "Rafael", "Camila"],
}
LAST_NAMES = {
    "en": [
        "Smith",
        "Johnson",
        "Brown",
        "Taylor",
        "Wilson",
        "Clarke",
        "Walker",
        "Harris",
        "Lewis",
        "Young",
        "King",
        "Wright",
    ],
    "de": [
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Wagner",
        "Becker",
        "Hoffmann",
        "Koch",
        "Richter",
    ],
    "fr": ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Roux", "Fontaine"],
    "nl": ["de Jong", "Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder"],
    "es": ["García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Torres", "Ruiz"],
    "it": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"],
    "sv": ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Lindqvist"],
    "pl": ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński"],
    "ar": ["Al-Mansouri", "Haddad", "Khalil", "Nasser", "Farouk", "Saleh", "Aziz", "Rahman"],
    "ja": ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"],
    "zh": ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao"],
    "hi": ["Sharma", "Patel", "Singh", "Gupta", "Kumar", "Iyer", "Reddy", "Mehta"],
    "ko": ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon"],
    "pt": ["Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Rodrigues", "Almeida"],
}

SENIORITY_WEIGHTS = [("c_level", 15), ("vp", 25), ("director", 30), ("manager", 20), ("individual", 10)]
TITLES = {
    "c_level": [
        "Chief Information Officer",
        "Chief Technology Officer",
        "Chief Information Security Officer",
        "Chief Operating Officer",
        "Chief Digital Officer",
    ],
    "vp": ["VP of IT", "VP of Infrastructure", "VP of Security", "VP of IT Operations", "VP of Engineering"],
    "director": [
        "Director of IT Operations",
        "Director of Infrastructure",
        "Director of Security",
        "IT Director",
        "Director of Enterprise Architecture",
    ],
    "manager": [
        "IT Manager",
        "Security Operations Manager",
        "Infrastructure Manager",
        "Service Desk Manager",
        "Endpoint Manager",
    ],
    "individual": [
        "Senior Systems Engineer",
        "Security Analyst",
        "Solutions Architect",
        "Systems Administrator",
        "Network Engineer",
    ],
}

NAME_START = [
    "Al",
    "Bel",
    "Cor",
    "Dan",
    "El",
    "Fal",
    "Gran",
    "Hal",
    "Ion",
    "Jor",
    "Kel",
    "Lum",
    "Mar",
    "Nor",
    "Or",
]
NAME_START += [
    "Pel",
    "Quin",
    "Ros",
    "Sol",
    "Tal",
    "Ul",
    "Ver",
    "Wes",
    "Xan",
    "Yor",
    "Zen",
    "Ar",
    "Bri",
    "Cas",
    "Del",
]
NAME_MIDDLE = ["", "", "", "a", "e", "i", "o", "ri", "na", "ter", "lan", "vi"]
NAME_END = ["ana", "bridge", "cor", "dale", "ex", "field", "gate", "ia", "ion", "is", "ix", "mark"]
NAME_END += ["mont", "on", "ora", "point", "stone", "tec", "um", "ven", "via", "wood", "worth", "yx"]
INDUSTRY_WORDS = {
    "healthcare": ["Health", "Clinics", "Medical", "Care", "Pharma"],
    "finance": ["Bank", "Capital", "Financial", "Payments", "Credit"],
    "insurance": ["Insurance", "Assurance", "Mutual", "Life"],
    "retail": ["Retail", "Stores", "Markets", "Fashion", "Foods"],
    "manufacturing": ["Industries", "Manufacturing", "Machines", "Components", "Motors"],
    "public_sector": ["Public Services", "Transit Authority", "Water Board", "Agency"],
    "technology": ["Systems", "Software", "Technologies", "Labs", "Networks"],
    "telecom": ["Telecom", "Mobile", "Communications", "Connect"],
    "education": ["University", "College", "Academy", "Schools"],
    "energy": ["Energy", "Power", "Utilities", "Renewables"],
    "media": ["Media", "Studios", "Broadcasting", "Publishing"],
    "transport": ["Logistics", "Freight", "Airlines", "Rail", "Shipping"],
}
NO_LEGAL_FORM = {"public_sector", "education"}
SIZE_WEIGHTS = [("smb", 20), ("midmarket", 35), ("enterprise", 32), ("global", 13)]
EMPLOYEES = {"smb": (12, 99), "midmarket": (100, 999), "enterprise": (1000, 9999), "global": (10000, 250000)}
STATUS_WEIGHTS = [
    (ProfileStatus.ACTIVE, 70),
    (ProfileStatus.RESTING, 7),
    (ProfileStatus.NOMINATED, 5),
    (ProfileStatus.VETTING, 6),
    (ProfileStatus.RETIRED, 12),
]
# activity code → probability a profile offers it (public ones only when not private only)
ACTIVITY_ODDS = {
    "call": 0.85,
    "email": 0.7,
    "name_drop": 0.4,
    "site_visit": 0.15,
    "event_meeting": 0.25,
    "case_study": 0.15,
    "quote": 0.3,
    "logo": 0.35,
    "video": 0.08,
    "press_release": 0.08,
    "website_listing": 0.2,
    "analyst_briefing": 0.05,
    "media_interview": 0.05,
    "speaking": 0.08,
    "award_nomination": 0.04,
    "logo_slide": 0.2,
}
PUBLIC = {"case_study", "quote", "logo", "video", "press_release", "website_listing", "analyst_briefing"}
PUBLIC |= {"media_interview", "speaking", "award_nomination", "logo_slide"}
DEPLOYMENT_WEIGHTS = [(Deployment.CLOUD, 50), (Deployment.HYBRID, 30), (Deployment.ON_PREMISES, 20)]
DEPLOYMENT_PHRASE = {"cloud": "in the cloud", "hybrid": "in a hybrid set-up", "on_premises": "on premises"}
USE_CASE_GOALS = {
    "Management": [
        "patching",
        "onboarding new devices",
        "license audits",
        "ticket handling",
        "asset tracking",
    ],
    "Security": ["incident response", "vulnerability remediation", "threat triage", "access reviews"],
    "Analytics": ["capacity planning", "root-cause analysis", "reporting", "restore tests"],
}
NOMINATION_REASONS = [
    "Went live ahead of plan and talks about it at every quarterly review.",
    "Champion presented our rollout at their internal IT summit.",
    "Expanded to two more product lines this year; very happy with support.",
    "Strong NPS and a measurable win against the incumbent.",
    "Executive sponsor offered to speak to peers in the industry.",
    "Replaced a competitor in record time; would make a great case study.",
]
OUTCOME_EXTRAS = [
    "audit passed first time",
    "zero critical findings",
    "payback in 9 months",
    "ticket backlog halved",
]
REJECTION_REASONS = ["Account owner asked to wait until the renewal closes.", "Open escalation with support."]

CHUNK = 5000


@dataclass
class SeedResult:
    """What ``seed_demo`` created, and how long it took."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _pick(rng: random.Random, weighted: list[tuple]) -> object:
    total = sum(w for _, w in weighted)
    x = rng.random() * total
    for value, weight in weighted:
        x -= weight
        if x < 0:
            return value
    return weighted[-1][0]


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and c.isalnum()).lower()


def search_text(
    *,
    customer_name: str,
    industry: str,
    region: str,
    country: str,
    strategic_segment: str,
    contact_name: str,
    contact_title: str,
    headline: str,
    story: str,
    outcomes: str,
    competitor: str,
    deployment: str,
    products: Iterable[str],
    use_cases: Iterable[str],
) -> str:
    """The catalog's search text from plain values: the same text as
    ``services.build_search_document`` builds from a saved profile (names in their list order)."""
    parts = [
        customer_name,
        industry,
        region,
        country,
        strategic_segment,
        contact_name,
        contact_title,
        headline,
        story,
        outcomes,
        competitor,
        Deployment(deployment).label if deployment else "",
        " ".join(sorted(products)),
        " ".join(sorted(use_cases)),
    ]
    return " ".join(p for p in parts if p)


def demo_users_ensure() -> dict[str, User]:
    """The demo users (password ``DEMO_PASSWORD``); existing ones are left as they are."""
    existing = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])}
    users = {}
    for username, role, first, last in DEMO_USERS:
        users[username] = existing.get(username) or user_create(
            username=username,
            role=role,
            password=DEMO_PASSWORD,
            # Not @refprogram.example: the password policy refuses a password like the email.
            email=f"{username}@demo.example",
            first_name=first,
            last_name=last,
        )
    return users


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, password) of every demo user."""
    return [(username, role, DEMO_PASSWORD) for username, role, _, _ in DEMO_USERS]


class _Table:
    """Rows of one table as plain tuples, written with COPY (PostgreSQL) or executemany.

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
                self.defaults[f.attname] = (
                    now if callable(f.default) and f.attname.endswith("_at") else default
                )
            else:
                self.defaults[f.attname] = "" if f.empty_strings_allowed and not f.null else None
        self.rows: list[tuple] = []
        self.next_id = 0
        self.reserved: list[int] = []

    def reserve(self, count: int) -> None:
        """Take ``count`` ids from the table's sequence for the rows about to be added."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [connection.ops.quote_name(self.table), count],
                )
                self.reserved = [r[0] for r in cursor.fetchall()]
            else:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{self.table}"')
                start = max(cursor.fetchone()[0], self.next_id) + 1
                self.reserved = list(range(start, start + count))
                self.next_id = start + count - 1
        self.reserved.reverse()

    def add(self, **values) -> int:
        pk = self.reserved.pop()
        values["id"] = pk
        self.rows.append(tuple(values.get(a, self.defaults[a]) for a in self.attnames))
        return pk

    def flush(self) -> int:
        written = len(self.rows)
        _copy(self.table, self.columns, self.rows)
        self.rows = []
        return written


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            ops = connection.ops

            def adapt(value):
                if isinstance(value, datetime):
                    return ops.adapt_datetimefield_value(value)
                if isinstance(value, date):
                    return ops.adapt_datefield_value(value)
                return value

            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})", [tuple(map(adapt, r)) for r in rows]
            )


def _insert_pairs(model, field_name: str, rows: list[tuple]) -> None:
    """Insert many-to-many rows straight into the through table."""
    m2m = model._meta.get_field(field_name)
    through = m2m.remote_field.through
    owner = through._meta.get_field(m2m.m2m_field_name()).column
    target = through._meta.get_field(m2m.m2m_reverse_field_name()).column
    _copy(through._meta.db_table, [owner, target], rows)


class _Seeder:
    def __init__(self, *, scale: int, seed: int, today: date, progress: Callable[[str], None] | None):
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = today
        self.progress = progress or (lambda message: None)
        self.names: set[str] = set()
        self.usage_serial = 0
        self.counts = dict.fromkeys(
            ["customers", "contacts", "references", "nominations", "usage", "products", "use_cases"], 0
        )

    def setup(self) -> None:
        install_defaults()
        self.users = demo_users_ensure()
        self.owners = [self.users["sales"], self.users["sales2"]]
        self.nominators = [self.users[u] for u in ("sales", "sales2", "marketing", "executive", "manager")]
        self.industries = {i.code: i for i in Industry.objects.all()}
        self.industry_codes = sorted(c for c in INDUSTRY_WORDS if c in self.industries)
        self.regions = {r.code: r for r in Region.objects.all()}
        self.products: dict[str, Product] = {}
        for line, names in PRODUCT_LINES.items():
            for name in names:
                self.products[name], _ = Product.objects.get_or_create(
                    name=name, defaults={"product_line": line}
                )
        self.use_cases: dict[str, UseCase] = {}
        for names in USE_CASES.values():
            for name in names:
                self.use_cases[name], _ = UseCase.objects.get_or_create(name=name)
        self.programs = list(Program.objects.order_by("name"))
        self.activities = {a.code: a for a in ActivityType.objects.all()}
        self.counts["products"], self.counts["use_cases"] = len(self.products), len(self.use_cases)

    # --- generators --------------------------------------------------------------------

    def company(self, industry: str, country: tuple) -> tuple[str, str]:
        rng = self.rng
        legal = "" if industry in NO_LEGAL_FORM else rng.choice(country[5])
        for attempt in range(12):
            root = rng.choice(NAME_START) + rng.choice(NAME_MIDDLE) + rng.choice(NAME_END)
            word = rng.choice(INDUSTRY_WORDS[industry])
            if industry == "education" and rng.random() < 0.5:
                name = f"{word} of {root}"
            else:
                name = f"{root} {word}"
            if attempt >= 8:
                name += rng.choice([" Group", " Holdings", " International", " Partners"])
            full = f"{name} {legal}".strip()
            if full not in self.names:
                break
        else:
            full = f"{full} {len(self.names)}"
        self.names.add(full)
        return full, _ascii(root) + "." + country[4]

    def person(self, languages: list[str]) -> str:
        lang = languages[0] if self.rng.random() < 0.85 or len(languages) == 1 else languages[1]
        first = self.rng.choice(FIRST_NAMES.get(lang, FIRST_NAMES["en"]))
        last = self.rng.choice(LAST_NAMES.get(lang, LAST_NAMES["en"]))
        return f"{first} {last}"

    def recent(self, fresh_days: int, stale_share: float) -> date:
        """A date mostly within ``fresh_days``, sometimes well beyond the 180-day staleness."""
        if self.rng.random() < stale_share:
            return self.today - timedelta(days=self.rng.randint(181, 600))
        return self.today - timedelta(days=self.rng.randint(0, fresh_days))

    def story(
        self,
        customer: str,
        line: str,
        products: list[str],
        use_cases: list[str],
        deployment: str,
        competitor: str,
    ):
        rng = self.rng
        pct = rng.choice([30, 40, 45, 50, 60, 70, 80])
        goal = rng.choice(USE_CASE_GOALS[line])
        sites = rng.choice([3, 8, 12, 25, 40, 60, 120])
        product = products[0]
        headline = rng.choice(
            [
                f"{pct}% faster {goal} with {product}",
                f"{sites} sites on one console with {product}",
                f"Replaced {competitor} in {rng.randint(4, 16)} weeks"
                if competitor
                else f"Live on {product} in weeks",
                f"{use_cases[0]} at scale with {product}",
            ]
        )
        story = (
            f"{customer} rolled out {' and '.join(products)} across {sites} sites "
            f"{DEPLOYMENT_PHRASE.get(deployment, '')} for {', '.join(u.lower() for u in use_cases)}."
        )
        if competitor:
            story += f" The team replaced {competitor} after a {rng.randint(2, 8)}-week evaluation."
        outcomes = (
            f"{pct}% less time spent on {goal}; {rng.randint(2, 40) * 100:,} hours saved a year; "
            f"{rng.choice(OUTCOME_EXTRAS)}."
        )
        return headline, story, outcomes

    # --- one chunk of customers ---------------------------------------------------------

    def chunk(self, size: int) -> None:
        rng, now = self.rng, timezone.now()
        customers = _Table(Customer, now)
        contacts = _Table(Contact, now)
        profiles = _Table(ReferenceProfile, now)
        customers.reserve(size)
        # At most two contacts per customer, a profile for most contacts.
        contacts.reserve(size * 2)
        profiles.reserve(size * 2)
        pairs: dict[tuple, list] = {
            (model, name): []
            for model, name in [
                (Customer, "products"),
                (Customer, "programs"),
                (Contact, "languages"),
                (ReferenceProfile, "activity_types"),
                (ReferenceProfile, "products"),
                (ReferenceProfile, "use_cases"),
            ]
        }
        self.chunk_profiles: list[dict] = []
        self.chunk_customers: list[dict] = []
        for _ in range(size):
            n = self.counts["customers"] + len(customers.rows) + 1  # CRM ids follow the seeding order
            industry = self.industry_codes[rng.randrange(len(self.industry_codes))]
            region = _pick(rng, REGION_WEIGHTS)
            country = _pick(rng, [(c, c[1]) for c in COUNTRIES[region]])
            name, domain = self.company(industry, country)
            band = _pick(rng, SIZE_WEIGHTS)
            low, high = EMPLOYEES[band]
            employees = int(low + (high - low) * rng.random() ** 2)
            marquee = rng.random() < (0.25 if band == "global" else 0.03)
            segment = "Strategic accounts" if marquee else ("Named accounts" if band == "global" else "")
            line = _pick(rng, LINE_WEIGHTS)
            owned = rng.sample(PRODUCT_LINES[line], rng.randint(1, min(3, len(PRODUCT_LINES[line]))))
            if rng.random() < 0.3:
                other = rng.choice([k for k in PRODUCT_LINES if k != line])
                pick = rng.choice(PRODUCT_LINES[other])
                if pick not in owned:
                    owned.append(pick)
            owner = None if rng.random() < 0.1 else self.owners[rng.randrange(len(self.owners))]
            customer = {
                "name": name,
                "crm_id": f"ACC-{n:07d}",
                "industry_id": industry,
                "region_id": region,
                "country": country[0],
                "size_band": band,
                "employees": employees,
                "account_owner_id": owner.pk if owner else None,
                "strategic_segment": segment,
                "is_marquee": marquee,
                "health_score": max(-100, min(100, int(rng.gauss(45, 25)))),
                "health_updated": self.recent(170, 0.12),
            }
            customer["id"] = customers.add(**customer)
            meta = {**customer, "line": line, "owned": owned, "domain": domain, "country_info": country}
            self.chunk_customers.append(meta)
            pairs[Customer, "products"].extend((customer["id"], self.products[p].pk) for p in owned)
            if rng.random() < 0.3:
                pairs[Customer, "programs"].extend(
                    (customer["id"], p.pk) for p in rng.sample(self.programs, rng.randint(1, 2))
                )
            used_emails: set[str] = set()
            for _ in range(1 if rng.random() < 0.55 else 2):
                seniority = _pick(rng, SENIORITY_WEIGHTS)
                person = self.person(country[2])
                local = ".".join(_ascii(part) for part in person.split() if _ascii(part))
                email = f"{local}@{domain}"
                if email in used_emails:
                    email = f"{local}2@{domain}"
                used_emails.add(email)
                languages = [country[2][0]]
                if len(country[2]) > 1 and rng.random() < 0.7:
                    languages.append(rng.choice(country[2][1:]))
                contact = {
                    "customer_id": customer["id"],
                    "name": person,
                    "title": rng.choice(TITLES[seniority]),
                    "seniority": seniority,
                    "email": email,
                    "phone": f"{country[3]} {rng.randint(10, 99)} {rng.randint(1000000, 9999999)}",
                }
                contact["id"] = contacts.add(**contact)
                pairs[Contact, "languages"].extend((contact["id"], code) for code in languages)
                if rng.random() < 0.85:
                    self.profile(profiles, customer, {**contact, "languages": languages}, meta, pairs)
        written_customers = customers.flush()
        for (model, name), rows in pairs.items():
            if model is Customer:
                _insert_pairs(model, name, rows)
        written_contacts = contacts.flush()
        _insert_pairs(Contact, "languages", pairs[Contact, "languages"])
        written_profiles = profiles.flush()
        for name in ("activity_types", "products", "use_cases"):
            _insert_pairs(ReferenceProfile, name, pairs[ReferenceProfile, name])
        self.usage(now)
        self.nominations(now)
        self.counts["customers"] += written_customers
        self.counts["contacts"] += written_contacts
        self.counts["references"] += written_profiles

    def profile(self, profiles: _Table, customer: dict, contact: dict, meta: dict, pairs: dict) -> None:
        rng = self.rng
        status = _pick(rng, STATUS_WEIGHTS)
        private_only = rng.random() < 0.2
        codes = [
            code
            for code, odds in ACTIVITY_ODDS.items()
            if code in self.activities and rng.random() < odds and not (private_only and code in PUBLIC)
        ]
        if not codes:
            codes = ["call"]
        owned = meta["owned"]
        products = sorted(rng.sample(owned, rng.randint(1, min(3, len(owned)))))
        lines = {self.products[p].product_line for p in products}
        pool = sorted({u for ln in lines for u in USE_CASES.get(ln, [])}) or sorted(self.use_cases)
        use_cases = sorted(rng.sample(pool, rng.randint(1, min(3, len(pool)))))
        deployment = _pick(rng, DEPLOYMENT_WEIGHTS)
        competitor = rng.choice(COMPETITORS)
        headline, story, outcomes = self.story(
            customer["name"], meta["line"], products, use_cases, deployment, competitor
        )
        pk = profiles.add(
            customer_id=customer["id"],
            contact_id=contact["id"],
            status=status,
            resting_reason=RestingReason.REQUEST if status == ProfileStatus.RESTING else "",
            headline=headline,
            story=story,
            deployment=deployment,
            competitor=competitor,
            outcomes=outcomes,
            private_only=private_only,
            last_validated=None if status == ProfileStatus.NOMINATED else self.recent(170, 0.15),
            search_document=search_text(
                customer_name=customer["name"],
                industry=self.industries[customer["industry_id"]].name,
                region=self.regions[customer["region_id"]].name,
                country=customer["country"],
                strategic_segment=customer["strategic_segment"],
                contact_name=contact["name"],
                contact_title=contact["title"],
                headline=headline,
                story=story,
                outcomes=outcomes,
                competitor=competitor,
                deployment=deployment,
                products=products,
                use_cases=use_cases,
            ),
            search_facets=facet_text(
                industry=customer["industry_id"],
                region=customer["region_id"],
                country=customer["country"],
                size_band=customer["size_band"],
                deployment=deployment,
                seniority=contact["seniority"],
                product_ids=[self.products[p].pk for p in products],
                use_case_ids=[self.use_cases[u].pk for u in use_cases],
                activity_codes=codes,
                language_codes=contact["languages"],
            ),
        )
        self.chunk_profiles.append(
            {"id": pk, "customer_id": customer["id"], "status": status, "activities": codes}
        )
        pairs[ReferenceProfile, "activity_types"].extend((pk, code) for code in codes)
        pairs[ReferenceProfile, "products"].extend((pk, self.products[p].pk) for p in products)
        pairs[ReferenceProfile, "use_cases"].extend((pk, self.use_cases[u].pk) for u in use_cases)

    def usage(self, now) -> None:
        """A modest ledger: some active and resting references were asked in the last year,
        always within their caps (over-asks must stay at zero)."""
        rng = self.rng
        planned = []
        customer_points: dict[int, int] = {}
        for profile in self.chunk_profiles:
            if profile["status"] not in (ProfileStatus.ACTIVE, ProfileStatus.RESTING) or rng.random() > 0.35:
                continue
            points = 0
            for _ in range(rng.randint(1, 3)):
                activity = self.activities[rng.choice(profile["activities"])]
                used = customer_points.get(profile["customer_id"], 0)
                if points + activity.weight > 5 or used + activity.weight > 7:
                    continue
                points += activity.weight
                customer_points[profile["customer_id"]] = used + activity.weight
                days = rng.randint(1, 365)
                status = (
                    UsageStatus.ASKED
                    if days < 30 and rng.random() < 0.5
                    else _pick(rng, [(UsageStatus.DONE, 80), (UsageStatus.DECLINED, 20)])
                )
                planned.append((profile, activity, status, days))
        entries = _Table(UsageEntry, now)
        entries.reserve(len(planned))
        for profile, activity, status, days in planned:
            self.usage_serial += 1
            entries.add(
                reference_id=profile["id"],
                customer_id=profile["customer_id"],
                activity_type_id=activity.pk,
                status=status,
                points=activity.weight,
                occurred_on=self.today - timedelta(days=days),
                source=f"seed:{self.usage_serial}",
                asked_by_id=self.users["manager"].pk,
                created_at=now,
            )
        self.counts["usage"] += entries.flush()

    def nominations(self, now) -> None:
        """A few nominations per chunk, some waiting longer than a week."""
        rng, customers = self.rng, self.chunk_customers
        count = max(8, len(customers) // 25)
        active: dict[int, int] = {}
        for profile in self.chunk_profiles:
            if profile["status"] == ProfileStatus.ACTIVE:
                active.setdefault(profile["customer_id"], profile["id"])
        linked: set[int] = set()
        table = _Table(Nomination, now)
        table.reserve(count)
        products = []
        for _ in range(count):
            customer = customers[rng.randrange(len(customers))]
            country = customer["country_info"]
            status = _pick(
                rng,
                [
                    (NominationStatus.SUBMITTED, 50),
                    (NominationStatus.VETTING, 25),
                    (NominationStatus.REJECTED, 10),
                    (NominationStatus.ACCEPTED, 15),
                ],
            )
            profile_id = active.get(customer["id"])
            if status == NominationStatus.ACCEPTED and (profile_id is None or profile_id in linked):
                status = NominationStatus.SUBMITTED
            seniority = _pick(rng, SENIORITY_WEIGHTS)
            person = self.person(country[2])
            # About half arrived this week; the rest wait longer than the 7 days that count as aging.
            days = rng.randint(0, 6) if rng.random() < 0.5 else rng.randint(8, 45)
            created = now - timedelta(days=days, hours=rng.randint(0, 23))
            decided = status in (NominationStatus.ACCEPTED, NominationStatus.REJECTED)
            if status == NominationStatus.ACCEPTED:
                linked.add(profile_id)
            pk = table.add(
                customer_id=customer["id"],
                contact_id=None,
                contact_name=person,
                contact_title=rng.choice(TITLES[seniority]),
                contact_email=".".join(_ascii(p) for p in person.split() if _ascii(p))
                + "@"
                + customer["domain"],
                contact_seniority=seniority,
                source=rng.choice(NominationSource.values),
                reason=rng.choice(NOMINATION_REASONS),
                account_owner_id=customer["account_owner_id"],
                nominated_by_id=self.nominators[rng.randrange(len(self.nominators))].pk,
                status=status,
                strategic_fit=True if status != NominationStatus.SUBMITTED else None,
                health_ok=True if status in (NominationStatus.VETTING, NominationStatus.ACCEPTED) else None,
                owner_consent=True if status == NominationStatus.ACCEPTED else None,
                vetting_notes="",
                rejection_reason=rng.choice(REJECTION_REASONS) if status == NominationStatus.REJECTED else "",
                decided_by_id=self.users["manager"].pk if decided else None,
                decided_at=created + timedelta(days=rng.randint(1, 5)) if decided else None,
                profile_id=profile_id if status == NominationStatus.ACCEPTED else None,
                created_at=created,
            )
            products.extend((pk, self.products[p].pk) for p in rng.sample(customer["owned"], 1))
        self.counts["nominations"] += table.flush()
        _insert_pairs(Nomination, "products", products)


# Expression indexes that cost far more to maintain row by row than to build once at the end.
BULK_BUILT_INDEXES = ("profile_search_vector", "profile_facet_keys", "customer_name_trgm")


def _drop_bulk_built_indexes() -> list[str]:
    """On PostgreSQL, drop the full-text and trigram indexes for the load and return their
    definitions to build again afterwards (in the same transaction)."""
    if connection.vendor != "postgresql":
        return []
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


def _build_indexes(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        if not definitions:
            return
        # The deferred foreign-key checks of the load must run before an index can be built.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def seed_demo(
    *,
    scale: int = 200,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedResult:
    """Fill an empty database with a demo program of ``scale`` customers (see the module doc)."""
    started = time.monotonic()
    seeder = _Seeder(scale=scale, seed=seed, today=today or timezone.localdate(), progress=progress)
    with transaction.atomic():
        seeder.setup()
        # Only worth it for a big load into an empty inventory; small seeds keep the indexes.
        dropped = (
            _drop_bulk_built_indexes() if scale >= 10_000 and not ReferenceProfile.objects.exists() else []
        )
        done = 0
        while done < scale:
            size = min(CHUNK, scale - done)
            seeder.chunk(size)
            done += size
            seeder.progress(f"{done:,} of {scale:,} customers")
        if dropped:
            seeder.progress("building the search indexes")
            _build_indexes(dropped)
    return SeedResult(counts=seeder.counts, seconds=time.monotonic() - started)
