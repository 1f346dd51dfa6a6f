"""How an API call names its person: an API token (django-rest-knox) or the session."""

from knox.auth import TokenAuthentication as KnoxTokenAuthentication

from refprogram.i18n import preferences_activate


class TokenAuthentication(KnoxTokenAuthentication):
    """An API token (``Authorization: Token …``, django-rest-knox) that, once it names its person,
    speaks their language and dates in their time zone, as their pages do: the middleware only
    knows people signed in with a session, a token is read later, by the view."""

    def authenticate(self, request):
        answer = super().authenticate(request)
        if answer is not None:
            preferences_activate(answer[0])
        return answer
