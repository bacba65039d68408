"""Adapters to the outside world: HTTP, feeds, page text, AWS storage and queues, Slack and email."""
