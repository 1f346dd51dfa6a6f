"""The product's own icons: every symbol the tag names exists in the sprite, the tag refuses a
name it does not know, and icons stand beside their words, hidden from screen readers."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError

from refprogram.templatetags.icons import ICONS

SPRITE = Path(__file__).resolve().parents[1] / "static" / "img" / "icons.svg"


def test_every_icon_the_tag_knows_is_drawn_in_the_sprite():
    drawn = set(re.findall(r'<symbol id="([a-z]+)"', SPRITE.read_text()))
    assert drawn == {"home", "queue", "catalog", "inventory", "nominate", "approvals", "dashboard", "alert",
                     "clock", "check"}  # fmt: skip
    assert ICONS == drawn


def test_the_tag_draws_a_decorative_icon():
    html = Template('{% load icons %}{% icon "queue" %}Request queue').render(Context())
    assert html == (
        '<svg class="icon" aria-hidden="true" focusable="false"><use href="/static/img/icons.svg#queue">'
        "</use></svg>Request queue"
    )


def test_an_unknown_icon_is_a_mistake_not_a_blank():
    with pytest.raises(TemplateSyntaxError, match="No icon named 'rocket'"):
        Template('{% load icons %}{% icon "rocket" %}').render(Context())


@pytest.mark.django_db
def test_the_menu_and_the_urgency_carry_icons(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(role="manager"))
    html = client.get("/").content.decode()
    assert 'icons.svg#queue"></use></svg>Request queue</a>' in html
    assert 'icons.svg#dashboard"></use></svg>Dashboard</a>' in html
