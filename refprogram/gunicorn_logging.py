"""gunicorn's access log without secrets: ``--logger-class refprogram.gunicorn_logging.AccessLogger``.

The access-log line names the path and the Referer, and a customer's consent link carries its
token in the path; every field of the line goes through the same masking as the app's own logs.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from refprogram.logging import mask_secrets


class AccessLogger(Logger):
    """gunicorn's logger, with ``/consent/<token>/`` masked in every access-log field."""

    def atoms(self, resp, req, environ, request_time):
        return {
            key: mask_secrets(value) if isinstance(value, str) else value
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }
