"""Helpers shared by the tests: sample articles, fake services, database fixtures."""
