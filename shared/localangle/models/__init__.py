"""Typed records that flow between the stages: configuration, articles, figures, alerts, queue messages."""
