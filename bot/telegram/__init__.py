"""The Telegram front end: python-telegram-bot application, handlers and message formatting."""
