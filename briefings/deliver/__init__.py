"""Deliver: subscriptions, feed polling, the scheduler, digests and the outbox that posts through each
platform's ``Deliverer``; ``chat`` holds the platform-free ``/brief`` commands; with a broker, the Celery
workers (``workers``) and the frontend's seam to them (``executor``, ``tenants``)."""
