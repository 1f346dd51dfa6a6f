from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The one role each user has (API.md codes)."""

    MANAGER = "manager", _("Reference manager")
    SALES = "sales", _("Sales rep")
    MARKETING = "marketing", _("Marketing")
    EXECUTIVE = "executive", _("Executive")
    ADMIN = "admin", _("Administrator")
