"""briefbot's core: article in, short briefing out. Knows nothing of Slack or Discord.

Data flows one way, one package a stage: ``ingest`` (source -> Article) -> ``extract`` (who said
what, acts) -> ``present`` (compose: pick, order, trim; render: a template per output), orchestrated
by ``pipeline``; ``deliver`` (subscriptions, polling, scheduler, outbox, chat commands) sits on top.
The shared model (``models``, ``errors``, ``settings``, ``clock``, ``redact``) is below them all.
See docs/architecture.md.
"""

__version__ = "0.1.0"
