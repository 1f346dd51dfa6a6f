"""A tiny OpenID Connect provider (django-oauth-toolkit) the single sign-on tests start on 127.0.0.1.

Its own settings and its own PostgreSQL database (``IDP_DATABASE_URL``); users and their groups
are set by the tests through ``POST /test-setup/`` (a shared secret), never by the product.
"""
