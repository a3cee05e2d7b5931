"""Present: an ``Extraction`` -> a ``Briefing``/``Digest`` (``compose``: pick, order, trim) -> text or
Markdown (``render``, with ``escape`` and ``limits``); the template parts platform renderers build on."""
