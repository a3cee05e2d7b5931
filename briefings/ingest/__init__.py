"""Ingest: a source (URL, file, pasted text, feed) -> ``Article``. ``fetch`` brings bytes over the
network (nothing else); ``html``, ``feeds`` and ``text`` read them; ``source.load_source`` is the one
entry point every caller uses."""
