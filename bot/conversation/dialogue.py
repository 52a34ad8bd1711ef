"""Read a question in the light of the conversation before it, and remember how it was answered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot import i18n
from bot.answers.answer_types import Answer
from bot.answers.fact_kinds import answer_type
from bot.answers.questions import is_status_question, question_language
from bot.answers.tuning import CONVERSATION_TUNING
from bot.conversation.anchors import asks_which_talks, names_a_person, names_which_talks
from bot.conversation.followups import (
    asks_nothing_itself,
    asks_what_came_after,
    asks_what_someone_did,
    content_words,
    is_follow_up,
    opens_like_follow_up,
    too_short_to_stand_alone,
    weighs_an_unnamed_proposal,
)
from bot.conversation.meetings import spans_meetings
from bot.conversation.memory import ConversationKey, ConversationMemory, Turn
from bot.conversation.wording import words


class Answering(Protocol):
    """What answers a question: bot.answers.answerer.Answerer."""

    def answer(
        self,
        question: str,
        *,
        language_hint: str | None = None,
        track: str | None = None,
        prefer: Sequence[str] = (),
        focus: str | None = None,
        frame: str | None = None,
        later: bool = False,
    ) -> Answer:
        """Answer one checked question."""
        ...


@dataclass(frozen=True)
class Understanding:
    """A question as it will be answered."""

    question: str  # as asked
    query: str  # what retrieval and reading get: the question with the subject it leans on
    subject: str  # the question that stood on its own and that this one is about
    prefer: tuple[str, ...] = ()  # the articles the conversation already cited
    about: str | None = None  # shown with the answer when the question was read in context
    incomplete: bool = False  # too short to stand alone, and nothing before it to lean on
    which_talks: bool = False  # names only the sides, and nothing before it says which talks
    frame: str | None = None  # the kind of fact asked for, borrowed by a bare follow-up
    alone: bool = False  # asked with nothing before it in the conversation
    later: bool = False  # asks what came after the subject ("и когда после этого…?")

    @property
    def resolved(self) -> str | None:
        """The question as answered, when that differs from the question as asked."""
        return self.query if self.query != self.question else None


def understand(
    question: str,
    memory: ConversationMemory | None,
    key: ConversationKey | None,
    *,
    reply_to: str | None = None,
) -> Understanding:
    """Resolve a follow-up against the answer replied to, else the conversation's last turn."""
    if is_status_question(question):
        return Understanding(question, question, question)
    before = None
    if memory is not None:
        before = memory.answer(reply_to)
        if before is None and key is not None:
            turns = memory.recent(key)
            before = turns[-1] if turns else None
    # Replying to an answer says "about this" as plainly as a pronoun does.
    leans = before is not None and (reply_to is not None or is_follow_up(question))
    if before is None or not leans:
        incomplete = too_short_to_stand_alone(question)
        return Understanding(
            question,
            question,
            question,
            incomplete=incomplete,
            which_talks=not incomplete
            and before is None
            and (
                asks_which_talks(question)
                or asks_what_someone_did(question)
                or weighs_an_unnamed_proposal(question)
            ),
            frame=answer_type(question),
            alone=before is None,
        )
    subject = before.subject
    # The turn before, if it was itself a follow-up, says what "that" now points at; of the
    # questions before, only the words that carry a subject go along, so the follow-up's own
    # question words ("how many", "when") decide what is looked for.
    steps = [question]
    if before.question != subject:
        steps.append(" ".join(content_words(before.question)))
    steps.append(" ".join(content_words(subject[: CONVERSATION_TUNING.subject_chars])))
    return Understanding(
        question,
        " ".join(steps),
        subject,
        prefer=before.articles[: CONVERSATION_TUNING.preferred_articles],
        about=subject,
        frame=follow_up_frame(question, before),
        later=asks_what_came_after(question),
    )


def follow_up_frame(question: str, before: Turn) -> str | None:
    """Return the kind of fact a follow-up asks for: its own, or, bare, the question's before.

    "and the bodies?" after "how many prisoners…?" asks for a number too; "who opened it?" says
    its own kind, and "what did Washington give in return?" asks for no kind in particular.
    """
    own = answer_type(question)
    if own is not None:
        return own
    bare = (
        opens_like_follow_up(question)
        and asks_nothing_itself(question)
        and len(content_words(question)) <= CONVERSATION_TUNING.bare_follow_up_words
    )
    return before.frame if bare else None


def remember(
    memory: ConversationMemory | None,
    key: ConversationKey | None,
    understood: Understanding,
    answer: Answer,
) -> None:
    """Keep the turn, so the next question (or a reply to this answer) can lean on it."""
    if memory is None or key is None or understood.incomplete or understood.which_talks:
        return
    if answer.mode == "which_talks":
        return
    cited = tuple(dict.fromkeys(c.article_id for c in answer.sources if c.article_id))
    # A follow-up that found nothing keeps the articles the conversation was already about.
    articles = cited or (understood.prefer if not answer.abstained else ())
    memory.remember(
        key,
        Turn(
            question=understood.question,
            resolved=understood.query,
            subject=understood.subject,
            articles=articles,
            answered=not answer.abstained,
            log_id=answer.log_id,
            frame=understood.frame,
        ),
    )


def incomplete_answer(question: str, language: str, *, which_talks: bool = False) -> Answer:
    """Ask for the whole question (or which talks it means) instead of answering another one.

    Both are logged with the abstain reason `incomplete`; the mode tells them apart.
    """
    key = "which_talks" if which_talks else "incomplete"
    return Answer(
        question=question,
        text=i18n.text(language, key),
        language=language,
        abstained=True,
        mode=key,
        abstain_reason="incomplete",
    )


def presented(answer: Answer, understood: Understanding) -> Answer:
    """Give the answer the question as asked, the one answered, and say what it was taken as."""
    answer.resolved_question = understood.resolved
    answer.question = understood.question
    if understood.about is not None and not answer.reviewed:
        about = i18n.text(answer.language, "about", subject=understood.about.strip())
        answer.text = f"{about}\n{answer.text}"
    return answer


def answer_understood(
    answerer: Answering, understood: Understanding, language_hint: str | None, *, track: str | None
) -> Answer:
    """Answer the question as understood; a question about a named track stands on its own."""
    if track is not None:
        return answerer.answer(understood.question, language_hint=language_hint, track=track)
    if understood.incomplete or understood.which_talks:
        language = question_language(understood.question, language_hint)
        return incomplete_answer(understood.question, language, which_talks=understood.which_talks)
    answer = answerer.answer(
        understood.query,
        language_hint=language_hint,
        prefer=understood.prefer,
        focus=understood.question if understood.resolved else None,
        frame=understood.frame,
        later=understood.later,
    )
    if fits_several_meetings(understood, answer):
        return incomplete_answer(understood.question, answer.language, which_talks=True)
    return presented(answer, understood)


def fits_several_meetings(understood: Understanding, answer: Answer) -> bool:
    """Return whether a question asked alone, naming no talks, was found in two meetings' reports.

    "how many prisoners were to be exchanged?" would otherwise be answered from whichever
    exchange's report matches best; a question about now ("what's the latest?") is not asked.
    """
    if not understood.alone or answer.abstained or answer.reviewed:
        return False
    question = understood.question
    if is_status_question(question) or names_which_talks(question):
        return False
    # A longer question about someone ("С кем Путин встречался, когда объявил пасхальное
    # перемирие?") tends to say enough of its event in lower-case words to be answered; a short
    # one ("what did Zelensky call the document?") does not.
    if names_a_person(question) and len(words(question)) > CONVERSATION_TUNING.person_words:
        return False
    return spans_meetings(answer.retrieved)
