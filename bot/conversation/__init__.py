"""Conversations: a short memory per chat, so follow-up questions are read in context."""

from bot.conversation.dialogue import (
    Understanding,
    answer_understood,
    incomplete_answer,
    presented,
    remember,
    understand,
)
from bot.conversation.memory import ConversationKey, ConversationMemory, Turn, conversation_key

__all__ = [
    "ConversationKey",
    "ConversationMemory",
    "Turn",
    "Understanding",
    "answer_understood",
    "conversation_key",
    "incomplete_answer",
    "presented",
    "remember",
    "understand",
]
