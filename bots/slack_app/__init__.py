"""The Slack adapter: slack-bolt ``AsyncApp`` handlers, a ``Deliverer``, OAuth installations and ``serve slack``.

A thin layer: Slack payload -> core call -> ``render(..., "slack")`` -> Slack Web API.
"""
