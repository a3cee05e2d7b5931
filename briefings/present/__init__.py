"""Present: an ``Extraction`` -> a ``Briefing``/``Digest`` (``compose``: pick, order, trim) -> text,
Markdown, Slack or Discord payloads (``render``, with ``escape`` and ``limits``)."""
