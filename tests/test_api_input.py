"""Text with NUL characters is refused at the door of the API, whatever field carries it."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,body",
    [
        ("/api/v1/requests/", {"activity_type": "call\u0000", "prospect": {"name": "Acme"}}),
        ("/api/v1/customers/", {"name": "Evil\u0000Corp", "industry": "finance"}),
        ("/api/v1/nominations/", {"reason": "ok", "source": "sales", "note": ["a", {"b": "\u0000"}]}),
    ],
)
def test_nul_characters_in_json_are_a_400(api_as, users, path, body):
    response = api_as(users["manager"]).post(path, body, format="json")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,body,field",
    [
        ("/api/v1/requests/assign/", {"requests": [1, 2**70]}, "requests"),
        ("/api/v1/requests/assign/", {"requests": [1], "assignee": -3}, "assignee"),
        ("/api/v1/requests/assign/", {"requests": [0]}, "requests"),
    ],
)
def test_ids_beyond_any_row_are_a_400_with_the_field(api_as, users, path, body, field):
    """An id no database column can hold is refused by the API, never handed to the database."""
    response = api_as(users["manager"]).post(path, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
