"""The demo program's vocabulary: the demo users, and the word lists and weights the seed draws
customers, contacts, stories and nominations from (``demo.inventory``, ``demo.requests``)."""

import random

from approvals.choices import ApprovalUse
from references.choices import Deployment, ProfileStatus


def pick(rng: random.Random, weighted: list[tuple]) -> object:
    """One value of a ``[(value, weight), ...]`` list, drawn in proportion to the weights."""
    total = sum(w for _, w in weighted)
    x = rng.random() * total
    for value, weight in weighted:
        x -= weight
        if x < 0:
            return value
    return weighted[-1][0]


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

# --- Requests (demo.requests) ---------------------------------------------------------------

# Activity mix of sales (private) and marketing (public) requests.
SALES_ACTIVITIES = [("call", 74), ("site_visit", 9), ("email", 7), ("event_meeting", 6), ("name_drop", 4)]
MARKETING_ACTIVITIES = [("case_study", 30), ("logo_slide", 40), ("quote", 30)]
# Which approval a public request needs (the demo only files these three kinds).
PUBLIC_USE = {
    "case_study": ApprovalUse.CASE_STUDY,
    "logo_slide": ApprovalUse.LOGO,
    "quote": ApprovalUse.QUOTE,
}
STAGES = ["Discovery", "Evaluation", "Technical validation", "Proposal", "Negotiation"]
SALES_NOTES = [
    "The CIO wants to hear from a peer who rolled this out at a similar size.",
    "Security team is sceptical about the agent footprint; a technical peer would help.",
    "Competitive deal against the incumbent; a customer who replaced them would be ideal.",
    "Procurement asks for two references before the final round.",
    "",
    "",
]
MARKETING_NOTES = [
    "For the regional campaign landing page.",
    "Needed for the partner summit deck.",
    "Board-level story for the annual report.",
    "",
]
CANCEL_REASONS = [
    "The prospect postponed the evaluation to next year.",
    "The deal was lost on price before a reference was needed.",
    "The prospect asked for a pilot instead of a reference call.",
    "Duplicate of another request for the same opportunity.",
]
UNFULFILLED_REASONS = [
    "The customers that fit are at their cap this quarter.",
    "The customer declined and no other fit could be arranged in time.",
    "Needed sooner than any reference could be arranged.",
]
SHORT_SUPPLY_REASON = "No reference meets the must-haves; asked the field to nominate one."
RATING_COMMENTS = {
    5: ["Exactly the peer the prospect needed.", "Closed the technical doubts in one call."],
    4: ["Helpful, a bit late in the cycle.", "Good fit; the prospect liked the rollout story."],
    3: ["Fine, but the reference's set-up differed from the prospect's.", ""],
}
FEEDBACK = [
    "Happy to help again next quarter.",
    "Enjoyed the conversation; please give us more notice next time.",
    "Glad to share our story.",
    "",
]
# Must-haves the seeded inventory never meets (no customers in these countries, no contacts
# speaking these languages): the short-supply requests that record unmet demand.
SHORT_SUPPLY_MUSTS = [
    ("country", "NZ", "apac"),
    ("language", "fi", "emea"),
    ("country", "NO", "emea"),
    ("language", "da", "emea"),
]

# Where scheduled reference meetings take place, and what the manager noted once they were done.
MEETING_PLACES = (
    "Video call (link in the invitation)",
    "Phone bridge +49 30 1234 5678",
    "Customer's office, meeting room 2",
)
COMPLETION_NOTES = (
    "Went well; the prospect asked about the migration.",
    "Good call: rollout effort and support were the main questions.",
    "Short call; the prospect wanted numbers on time to value.",
)
