"""negobot: answers questions about peace negotiations from a cited news library."""
