"""The answering core: a question in, a cited answer (or a reasoned decline) out."""
