"""Turns articles into a searchable index: load, chunk, embed, store, search."""
