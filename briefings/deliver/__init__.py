"""Delivery: subscriptions, polling, schedules, the outbox, and (with a broker) Celery workers."""
