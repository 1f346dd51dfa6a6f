"""CRM connectors: one interface (``base.CrmConnector``), Salesforce and HubSpot behind it.

``connector_for(connection)`` gives the connector of a ``CrmConnection``; the sync service
(``integrations.services.crm_sync``) and the write-back task only talk to that interface.
"""

from __future__ import annotations

from .base import CrmConnector, CrmError, CrmRecord


def connector_for(connection) -> CrmConnector:
    """The connector for this CRM connection (its kind picks the implementation)."""
    if connection.kind == "salesforce":
        from .salesforce import SalesforceConnector

        return SalesforceConnector(connection)
    if connection.kind == "hubspot":
        from .hubspot import HubSpotConnector

        return HubSpotConnector(connection)
    raise ValueError(f"No connector for CRM {connection.kind!r}.")


__all__ = ["CrmConnector", "CrmError", "CrmRecord", "connector_for"]
