"""Embedding engines: the shared protocol, one module per engine, and the name→factory registry."""
