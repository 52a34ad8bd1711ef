"""The numbers that tune answering, in one place, each with why it has its value.

Figures behind them are in docs/benchmarks.md and docs/answers.md with the commands that
reproduce them; tuning uses the development question sets (bench/questions/manifest.tsv).
`Answerer(tuning=...)` takes another set of values; `Settings.answer_tuning()` (bot/config.py)
applies the ones a deployer may change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class PickerWeights:
    """What each clue adds to a sentence's similarity to the question, scaled 0-1 in its pool.

    Fitted jointly by bench/tune_picker.py on the development questions (leave-one-set-out:
    docs/benchmarks.md, "Picking sentences"); each weight says why it exists.
    """

    # Divided by the passage's rank (1, 2, ...): answers should come from the article that
    # matched, not from the opening lines of others on the same subject.
    rank_prior: float = 0.5
    # For a sentence carrying the kind of fact asked for (a number, a name, a place).
    answer_type: float = 0.5
    # For naming the ordinal the question names; as much off for naming only others.
    ordinal: float = 0.15
    # Off an article's opening sentence when a specific fact is asked for (who, how many, how
    # long): it sets the scene and resembles every question about the event.
    lead_penalty: float = 0.1
    # Times freshness (1.0 newest, halving every freshness_half_life_days) for a status question.
    freshness: float = 0.3
    # For sharing the best sentence's article: the sentences around a fact usually carry the
    # details asked for, where other articles' opening lines only restate the subject.
    coherence: float = 0.35
    # Sentences scored by similarity, the likeliest by the clues above; the rest are dropped.
    scored: int = 30


# Best-passage cosine thresholds per model (see AnswerTuning.calibrated_thresholds). A read-only
# view of this table goes into the tuning, so an engine registered later (the tests' fake
# embedder) can add its own calibration here.
CALIBRATED_THRESHOLDS: dict[str, float] = {
    "multilingual-e5-small": 0.806,
    "all-MiniLM-L6-v2": 0.575,
}


def _frozen(values: dict[str, float]) -> Mapping[str, float]:
    return MappingProxyType(values)


@dataclass(frozen=True)
class AnswerTuning:
    """How a question is answered: retrieval sizes, declining, reading, picking, recency."""

    # Cosine of the best passage below which the library is taken not to cover the question,
    # per model; calibrated by bench/bench_answers.py --calibrate (docs/benchmarks.md).
    calibrated_thresholds: Mapping[str, float] = field(
        default_factory=lambda: _frozen(CALIBRATED_THRESHOLDS)
    )
    # The threshold of a model not calibrated above.
    default_threshold: float = 0.35
    # Least scope margin (bot/answers/scope.py) of an in-scope question, per model, calibrated
    # with the threshold; a model that is not listed is judged by the cosine threshold alone.
    calibrated_margins: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"multilingual-e5-small": -0.050})
    )
    # The scope margin averages the cosines of this many nearest in-scope and off-topic texts.
    scope_nearest: int = 3
    # How much the off-topic texts' pull counts against the in-scope texts' in the margin.
    off_topic_weight: float = 2
    # A moderator's correction is reused when a new question is at least this close to the old
    # one; e5 puts any two questions about the talks near 0.9, so it needs a higher bar.
    correction_match: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"multilingual-e5-small": 0.95})
    )
    # The bar of a model not listed above.
    default_correction_match: float = 0.9
    # Passages retrieved per question; a month named in the question adds half as many from it.
    retrieve_k: int = 8
    # Sentences quoted in an answer (NEGOBOT_ANSWER_SENTENCES changes it).
    answer_sentences: int = 6
    # Sentences quoted after the one the reader found (NEGOBOT_READER_SUPPORT_SENTENCES).
    support_sentences: int = 1
    # Top passages whose sentences the picker reads.
    sentence_chunks: int = 5
    # Passages the extractive reader reads per question: its cost grows with each. On the
    # development sets (docs/reader.md) reading 2 finds the same spans as 3 and more facts than
    # 5 (a longer list gives a wrong span more chances to outscore the right one).
    read_passages: int = 2
    # Sentences shorter than this many words are never picked: headings, datelines, fragments.
    min_sentence_words: int = 5
    # Share of words two sentences need in common to count as one statement told twice.
    near_duplicate: float = 0.6
    # Sentence vectors kept between answers: ~75 MB of 384-dimension vectors.
    sentence_cache_size: int = 50_000
    # A report's freshness (for status questions) halves with every this many days of age.
    freshness_half_life_days: int = 30
    # The weights of the sentence picker's clues.
    picker: PickerWeights = field(default_factory=PickerWeights)
    # "What's the latest" is answered from the reporting of the weeks before the newest article.
    recent_days: int = 45
    # Passages taken from that window (half of what a question retrieves).
    recent_k: int = 4
    # Passages read to find the newest report on a status question's subject (bench: 16 missed
    # the July round for an English question about Istanbul, which only the Russian report covers).
    subject_pool: int = 30
    # A newer report naming this share of the subject (by rarity) is the newer report on it: for
    # "is there a ceasefire, or at least a peace plan?" the November report on the plan, not
    # June's report that mentions a truce, a plan and peace (bench: 0.6 lost a question, 0.8
    # changed none).
    subject_share: float = 0.7
    # Reports on an event late in a month are often published early in the next: a month named
    # in a question reaches this many days into the next.
    period_grace_days: int = 3
    # A follow-up asking what came after ("and when did the exchanges start after that?") also
    # searches the reports published at least this many days after the article it leans on.
    later_after_days: int = 1

    @property
    def period_k(self) -> int:
        """Passages retrieved from the month a question names."""
        return self.retrieve_k // 2


ANSWER_TUNING = AnswerTuning()


@dataclass(frozen=True)
class AlertTuning:
    """How alerts to followers are composed and paced."""

    # Telegram allows a bot about 30 messages a second overall; alerts keep below it so that
    # answers sent meanwhile still fit.
    per_second: float = 25.0
    # Sends under way at once: enough that a slow round trip does not hold up the rest, few
    # enough that with `per_second` starts any second sees at most per_second + 1 + in_flight
    # arrive (25 + 1 + 4 = 30).
    in_flight: int = 4
    # How often a running bot looks for alerts queued by an ingest (its own or another process's).
    poll_seconds: float = 5.0
    # Alerts claimed at a time: about a second's worth, so a stopping bot hands back few.
    claim_size: int = 25
    # A claimed alert not finished in this long belongs to a sender that died; it is sent again.
    lease_minutes: int = 10
    # Tries for an alert that fails for network reasons before it is given up.
    max_attempts: int = 5
    # "One or two sentences": the newest reports on a track an alert quotes.
    reports_shown: int = 2
    # A quoted sentence longer than this is cut (an alert is a notice, not the report).
    sentence_chars: int = 280
    # How often a running bot looks for chats whose daily digest is due: a digest goes out
    # within this long of the time the chat chose.
    digest_poll_seconds: float = 60.0


ALERT_TUNING = AlertTuning()


@dataclass(frozen=True)
class InlineTuning:
    """How `@bot question` in any chat is answered."""

    # Telegram sends a query at every pause in typing; only the one the person stopped at is
    # answered (a newer query from them within this many seconds replaces it).
    settle_seconds: float = 0.8
    # Telegram's servers keep an answer to the same query this long: briefly, as the library
    # changes with every ingest.
    cache_seconds: int = 60
    # A result's title and description are cut to these lengths (Telegram shows one line each).
    title_chars: int = 100
    description_chars: int = 200


INLINE_TUNING = InlineTuning()


@dataclass(frozen=True)
class ConversationTuning:
    """How a question is read against the conversation before it (bot/conversation/).

    Measured with bench/bench_followups.py on the development dialogues (docs/conversations.md).
    """

    # A question this short that only names sides ("who led the Russian side?") says nothing of
    # which talks it means: it leans on the conversation, and alone is asked which talks.
    short_question_words: int = 5
    # A follow-up opening with "and"/"а", with no word that asks and at most this many words that
    # carry a subject ("and the bodies?"), asks for the same kind of fact as the question before.
    bare_follow_up_words: int = 3
    # A question this long or longer (in words that carry a subject) is taken to say its own
    # subject when it names which talks, or names neither a side nor a person.
    own_subject_words: int = 4
    # Asked alone, a question naming no talks but the sides or people, asking of a proposal or in
    # the conditional, with at most this many words of its own beside their names ("чи
    # погодилася Москва на пропозицію Зеленського?"), is asked which talks, however long it is.
    words_beside_proposers: int = 3
    # A question naming nothing needs at least this many such words to be looked up alone.
    standalone_words: int = 2
    # A follow-up's own words lead the query; the subject before is cut to this many characters
    # so that they keep weighing most.
    subject_chars: int = 300
    # A follow-up favours the first this many articles the answer before cited: the first is the
    # one its answer led with; the others were often cited for a sentence from another meeting.
    preferred_articles: int = 1
    # Answers remembered by log id, so a reply to an older answer still finds it; oldest go first.
    remembered_answers: int = 20_000
    # A question asked alone that names no talks is asked which talks when retrieval finds two
    # meetings for it: among this many of the first passages, one from a report published more
    # than `same_meeting_days` from the leading passage's (reports of one meeting come out within
    # a day or so), with a cosine within `meeting_cosine_gap` of it, above or below. Set on the
    # development dialogues and ordinary questions (docs/conversations.md): 3 passages, or a gap
    # of 0.013, asked which talks of more ordinary questions; 0.011 left one follow-up on bodies
    # answered about another exchange. Close to the edge both ways: a small, fitted number.
    meeting_passages: int = 2
    same_meeting_days: int = 1
    meeting_cosine_gap: float = 0.012
    # A question naming someone is kept from that check when it has more than this many words:
    # a longer one says enough of its event in lower-case words ("когда объявил пасхальное
    # перемирие"); among the development questions none of 7 words or fewer did.
    person_words: int = 7


CONVERSATION_TUNING = ConversationTuning()
