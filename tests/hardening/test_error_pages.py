"""Errors are pages of the product: 403 and 404 inside the layout with a way home, a 500 page
that needs nothing but the stylesheet, and the icon browsers ask for at /favicon.ico."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_a_role_without_the_right_gets_the_styled_403(client_as, users):
    response = client_as(users["sales"]).get("/policy/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not do this" in page
    assert 'class="topbar"' in page and 'href="/"' in page  # inside the layout, with the way home


def test_an_unknown_address_gets_the_styled_404(client_as, users):
    response = client_as(users["manager"]).get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "This page does not exist" in page and 'class="topbar"' in page


def test_the_500_page_renders_without_a_database_or_a_user():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page and "/static/css/app.css" in page


def test_favicon_address_answers_with_the_projects_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"
