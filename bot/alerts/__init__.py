"""Alerts to the chats that follow a negotiation track, when an ingest adds reports to it."""
