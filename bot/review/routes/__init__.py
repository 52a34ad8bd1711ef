"""The desk's routers, one per concern."""
