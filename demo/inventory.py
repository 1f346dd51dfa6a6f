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
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from ledger.choices import UsageStatus
from ledger.models import UsageEntry
from references.choices import (
    Deployment,
    NominationSource,
    NominationStatus,
    ProfileStatus,
    RestingReason,
)
from references.defaults import install as install_defaults
from references.facets import facet_text
from references.models import (
    ActivityType,
    Contact,
    Customer,
    Industry,
    Nomination,
    Product,
    Program,
    ReferenceProfile,
    Region,
    UseCase,
)
from refprogram.i18n import in_company_language

from . import vocabulary as words
from .bulk import Table, build_indexes, drop_bulk_built_indexes, insert_pairs

CHUNK = 5000


@dataclass
class SeedResult:
    """What ``seed_demo`` created, and how long it took."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


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
        in_company_language(Deployment(deployment).label) if deployment else "",
        " ".join(sorted(products)),
        " ".join(sorted(use_cases)),
    ]
    return " ".join(p for p in parts if p)


def demo_users_ensure() -> dict[str, User]:
    """The demo users (password ``words.DEMO_PASSWORD``); existing ones are left as they are."""
    existing = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in words.DEMO_USERS])}
    users = {}
    for username, role, first, last in words.DEMO_USERS:
        users[username] = existing.get(username) or user_create(
            username=username,
            role=role,
            password=words.DEMO_PASSWORD,
            # Not @refprogram.example: the password policy refuses a password like the email.
            email=f"{username}@demo.example",
            first_name=first,
            last_name=last,
        )
    return users


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, password) of every demo user."""
    return [(username, role, words.DEMO_PASSWORD) for username, role, _, _ in words.DEMO_USERS]


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
        self.industry_codes = sorted(c for c in words.INDUSTRY_WORDS if c in self.industries)
        self.regions = {r.code: r for r in Region.objects.all()}
        self.products: dict[str, Product] = {}
        for line, names in words.PRODUCT_LINES.items():
            for name in names:
                self.products[name], _ = Product.objects.get_or_create(
                    name=name, defaults={"product_line": line}
                )
        self.use_cases: dict[str, UseCase] = {}
        for names in words.USE_CASES.values():
            for name in names:
                self.use_cases[name], _ = UseCase.objects.get_or_create(name=name)
        self.programs = list(Program.objects.order_by("name"))
        self.activities = {a.code: a for a in ActivityType.objects.all()}
        self.counts["products"], self.counts["use_cases"] = len(self.products), len(self.use_cases)

    # --- generators --------------------------------------------------------------------

    def company(self, industry: str, country: tuple) -> tuple[str, str]:
        rng = self.rng
        legal = "" if industry in words.NO_LEGAL_FORM else rng.choice(country[5])
        for attempt in range(12):
            root = rng.choice(words.NAME_START) + rng.choice(words.NAME_MIDDLE) + rng.choice(words.NAME_END)
            word = rng.choice(words.INDUSTRY_WORDS[industry])
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
        first = self.rng.choice(words.FIRST_NAMES.get(lang, words.FIRST_NAMES["en"]))
        last = self.rng.choice(words.LAST_NAMES.get(lang, words.LAST_NAMES["en"]))
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
        goal = rng.choice(words.USE_CASE_GOALS[line])
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
            f"{words.DEPLOYMENT_PHRASE.get(deployment, '')} for {', '.join(u.lower() for u in use_cases)}."
        )
        if competitor:
            story += f" The team replaced {competitor} after a {rng.randint(2, 8)}-week evaluation."
        outcomes = (
            f"{pct}% less time spent on {goal}; {rng.randint(2, 40) * 100:,} hours saved a year; "
            f"{rng.choice(words.OUTCOME_EXTRAS)}."
        )
        return headline, story, outcomes

    # --- one chunk of customers ---------------------------------------------------------

    def chunk(self, size: int) -> None:
        rng, now = self.rng, timezone.now()
        customers = Table(Customer, now)
        contacts = Table(Contact, now)
        profiles = Table(ReferenceProfile, now)
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
            region = words.pick(rng, words.REGION_WEIGHTS)
            country = words.pick(rng, [(c, c[1]) for c in words.COUNTRIES[region]])
            name, domain = self.company(industry, country)
            band = words.pick(rng, words.SIZE_WEIGHTS)
            low, high = words.EMPLOYEES[band]
            employees = int(low + (high - low) * rng.random() ** 2)
            marquee = rng.random() < (0.25 if band == "global" else 0.03)
            segment = "Strategic accounts" if marquee else ("Named accounts" if band == "global" else "")
            line = words.pick(rng, words.LINE_WEIGHTS)
            owned = rng.sample(
                words.PRODUCT_LINES[line], rng.randint(1, min(3, len(words.PRODUCT_LINES[line])))
            )
            if rng.random() < 0.3:
                other = rng.choice([k for k in words.PRODUCT_LINES if k != line])
                pick = rng.choice(words.PRODUCT_LINES[other])
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
                seniority = words.pick(rng, words.SENIORITY_WEIGHTS)
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
                    "title": rng.choice(words.TITLES[seniority]),
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
                insert_pairs(model, name, rows)
        written_contacts = contacts.flush()
        insert_pairs(Contact, "languages", pairs[Contact, "languages"])
        written_profiles = profiles.flush()
        for name in ("activity_types", "products", "use_cases"):
            insert_pairs(ReferenceProfile, name, pairs[ReferenceProfile, name])
        self.usage(now)
        self.nominations(now)
        self.counts["customers"] += written_customers
        self.counts["contacts"] += written_contacts
        self.counts["references"] += written_profiles

    def profile(self, profiles: Table, customer: dict, contact: dict, meta: dict, pairs: dict) -> None:
        rng = self.rng
        status = words.pick(rng, words.STATUS_WEIGHTS)
        private_only = rng.random() < 0.2
        codes = [
            code
            for code, odds in words.ACTIVITY_ODDS.items()
            if code in self.activities and rng.random() < odds and not (private_only and code in words.PUBLIC)
        ]
        if not codes:
            codes = ["call"]
        owned = meta["owned"]
        products = sorted(rng.sample(owned, rng.randint(1, min(3, len(owned)))))
        lines = {self.products[p].product_line for p in products}
        pool = sorted({u for ln in lines for u in words.USE_CASES.get(ln, [])}) or sorted(self.use_cases)
        use_cases = sorted(rng.sample(pool, rng.randint(1, min(3, len(pool)))))
        deployment = words.pick(rng, words.DEPLOYMENT_WEIGHTS)
        competitor = rng.choice(words.COMPETITORS)
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
                health=customer["health_score"],
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
                    else words.pick(rng, [(UsageStatus.DONE, 80), (UsageStatus.DECLINED, 20)])
                )
                planned.append((profile, activity, status, days))
        entries = Table(UsageEntry, now)
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
        table = Table(Nomination, now)
        table.reserve(count)
        products = []
        for _ in range(count):
            customer = customers[rng.randrange(len(customers))]
            country = customer["country_info"]
            status = words.pick(
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
            seniority = words.pick(rng, words.SENIORITY_WEIGHTS)
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
                contact_title=rng.choice(words.TITLES[seniority]),
                contact_email=".".join(_ascii(p) for p in person.split() if _ascii(p))
                + "@"
                + customer["domain"],
                contact_seniority=seniority,
                source=rng.choice(NominationSource.values),
                reason=rng.choice(words.NOMINATION_REASONS),
                account_owner_id=customer["account_owner_id"],
                nominated_by_id=self.nominators[rng.randrange(len(self.nominators))].pk,
                status=status,
                strategic_fit=True if status != NominationStatus.SUBMITTED else None,
                health_ok=True if status in (NominationStatus.VETTING, NominationStatus.ACCEPTED) else None,
                owner_consent=True if status == NominationStatus.ACCEPTED else None,
                vetting_notes="",
                rejection_reason=rng.choice(words.REJECTION_REASONS)
                if status == NominationStatus.REJECTED
                else "",
                decided_by_id=self.users["manager"].pk if decided else None,
                decided_at=created + timedelta(days=rng.randint(1, 5)) if decided else None,
                profile_id=profile_id if status == NominationStatus.ACCEPTED else None,
                created_at=created,
            )
            products.extend((pk, self.products[p].pk) for p in rng.sample(customer["owned"], 1))
        self.counts["nominations"] += table.flush()
        insert_pairs(Nomination, "products", products)


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
            drop_bulk_built_indexes() if scale >= 10_000 and not ReferenceProfile.objects.exists() else []
        )
        done = 0
        while done < scale:
            size = min(CHUNK, scale - done)
            seeder.chunk(size)
            done += size
            seeder.progress(f"{done:,} of {scale:,} customers")
        if dropped:
            seeder.progress("building the search indexes")
            build_indexes(dropped)
    return SeedResult(counts=seeder.counts, seconds=time.monotonic() - started)
