from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo program (``manage.py seed_demo``): data for a first run, never imported by the product."""

    name = "demo"
    verbose_name = "Demo program"
