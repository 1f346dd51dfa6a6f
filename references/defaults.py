"""The managed lists RefProgram ships with (API.md codes); admins extend them."""

INDUSTRIES = [
    ("healthcare", "Healthcare"),
    ("finance", "Financial services"),
    ("insurance", "Insurance"),
    ("retail", "Retail"),
    ("manufacturing", "Manufacturing"),
    ("public_sector", "Public sector"),
    ("technology", "Technology"),
    ("telecom", "Telecommunications"),
    ("education", "Education"),
    ("energy", "Energy and utilities"),
    ("media", "Media and entertainment"),
    ("transport", "Transport and logistics"),
]

REGIONS = [
    ("na", "North America"),
    ("emea", "Europe, Middle East and Africa"),
    ("apac", "Asia Pacific"),
    ("latam", "Latin America"),
]

PROGRAMS = ["Customer advisory board", "Beta program", "Early adopter", "Community", "User group"]

# code, name, kind, weight (cap points), lead time (days), live (starts the rest period)
ACTIVITY_TYPES = [
    ("call", "Reference call", "private", 2, 5, True),
    ("email", "Email exchange", "private", 1, 3, False),
    ("site_visit", "Site visit", "private", 6, 21, True),
    ("name_drop", "Name drop in a prospect meeting", "private", 1, 1, False),
    ("event_meeting", "Meeting a prospect at an event", "private", 2, 14, True),
    ("press_release", "Press release", "public", 6, 45, False),
    ("case_study", "Case study", "public", 6, 60, True),
    ("video", "Video testimonial", "public", 6, 45, True),
    ("quote", "Quote", "public", 1, 14, False),
    ("logo", "Logo or name use", "public", 1, 10, False),
    ("website_listing", "Website listing", "public", 1, 10, False),
    ("analyst_briefing", "Analyst briefing", "public", 3, 21, True),
    ("media_interview", "Media interview", "public", 3, 21, True),
    ("speaking", "Speaking at an event", "public", 4, 45, True),
    ("award_nomination", "Award nomination", "public", 2, 30, False),
    ("logo_slide", "Logo slide", "public", 1, 10, False),
]

LANGUAGES = [
    ("ar", "Arabic"),
    ("cs", "Czech"),
    ("da", "Danish"),
    ("de", "German"),
    ("el", "Greek"),
    ("en", "English"),
    ("es", "Spanish"),
    ("fi", "Finnish"),
    ("fr", "French"),
    ("he", "Hebrew"),
    ("hi", "Hindi"),
    ("hu", "Hungarian"),
    ("id", "Indonesian"),
    ("it", "Italian"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("nl", "Dutch"),
    ("no", "Norwegian"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ro", "Romanian"),
    ("ru", "Russian"),
    ("sv", "Swedish"),
    ("th", "Thai"),
    ("tr", "Turkish"),
    ("uk", "Ukrainian"),
    ("vi", "Vietnamese"),
    ("zh", "Chinese"),
]


def install(apps=None) -> None:
    """Create the default lists and the overuse policy row if they are missing (idempotent)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Industry = apps.get_model("references", "Industry")
    Region = apps.get_model("references", "Region")
    Program = apps.get_model("references", "Program")
    ActivityType = apps.get_model("references", "ActivityType")
    Language = apps.get_model("references", "Language")
    for code, name in INDUSTRIES:
        Industry.objects.get_or_create(code=code, defaults={"name": name})
    for code, name in REGIONS:
        Region.objects.get_or_create(code=code, defaults={"name": name})
    for name in PROGRAMS:
        Program.objects.get_or_create(name=name)
    for position, (code, name, kind, weight, lead, live) in enumerate(ACTIVITY_TYPES):
        ActivityType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "weight": weight,
                "lead_time_days": lead,
                "live": live,
                "position": position,
            },
        )
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})
    try:  # the data migration 0002 (its models are the references app's of then)
        OverusePolicy = apps.get_model("references", "OverusePolicy")
    except LookupError:  # since references 0010 the policy row is the ledger's
        from .models import policy_model

        OverusePolicy = policy_model()
    OverusePolicy.objects.get_or_create(pk=1)
