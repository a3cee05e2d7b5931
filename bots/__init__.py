"""Platform adapters: the terminal, Slack and Discord. Each converts platform events to core calls
and Briefings to platform payloads; no NLP, SQL or scheduling logic of their own."""
