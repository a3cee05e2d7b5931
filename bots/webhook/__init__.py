"""The outgoing webhook platform: briefings and digests POSTed as signed JSON to URLs the operator names
(``BRIEFBOT_WEBHOOK_URL``, ``BRIEFBOT_WEBHOOK_<NAME>_URL``), for Mattermost, Teams, n8n, Zapier and the
like. See docs/webhook.md for the schema and how to check the signature.

Modules: ``hooks`` (the configured hooks), ``payload`` (the JSON schema, the renderer), ``deliver``
(``WebhookDeliverer``: signed POSTs through the fetch safety rules), ``platform`` (``PLATFORM``).
"""
