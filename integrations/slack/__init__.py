"""Slack: notices to channels (per region) and to requesters, and the ``/reference`` command.

The Slack app talks to RefProgram over two signed endpoints (``/slack/commands/`` and
``/slack/interactions/``) and RefProgram talks to Slack's Web API with ``slack_sdk``'s
``WebClient`` (``SLACK_BOT_TOKEN``, ``SLACK_API_URL``). Wiring: ``wiring.connect()`` from
``IntegrationsConfig.ready``.
"""
