"""An extractive reader: finds the span of a passage that answers a question, or says none does."""
