"""briefbot's core: article in, short briefing out. Knows nothing of Slack or Discord.

Data flows one way: ingest -> extract (who said what, acts) -> compose (pick,
order, trim) -> render (a template per output). See ``pipeline`` for the entry
points the adapters call.
"""

__version__ = "0.1.0"
