from django.db import models


class Role(models.TextChoices):
    """The one role each user has (API.md codes)."""

    MANAGER = "manager", "Reference manager"
    SALES = "sales", "Sales rep"
    MARKETING = "marketing", "Marketing"
    EXECUTIVE = "executive", "Executive"
    ADMIN = "admin", "Administrator"
