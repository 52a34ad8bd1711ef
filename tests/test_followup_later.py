"""A follow-up asking what came after its subject also reads the reports published later."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers.preferring import with_preferred
from bot.conversation import ConversationMemory, Turn, understand
from index.documents import SearchHit
from index.search import Searcher
from tests.support.embedders import FakeEmbedder


def test_a_follow_up_asking_what_came_after_also_reads_the_later_reports(
    index_dir: Path, fake_embedder: FakeEmbedder
) -> None:
    searcher = Searcher.open(index_dir, fake_embedder)
    question = "How many prisoners were exchanged?"
    vector = fake_embedder.encode([question], kind="query")[0]
    hits = searcher.search(question, 8, query_vector=vector)
    oldest = min(hits, key=lambda hit: hit.chunk.published)
    wanted = oldest.chunk.article_id
    plain = with_preferred(searcher, question, vector, hits, [wanted], 4)
    later = with_preferred(searcher, question, vector, hits, [wanted], 4, later_after_days=1)
    assert wanted in {hit.chunk.article_id for hit in later}
    assert {hit.chunk.chunk_id for hit in hits} <= {hit.chunk.chunk_id for hit in later}

    def first_later(ranking: list[SearchHit]) -> int:
        return next(
            rank for rank, hit in enumerate(ranking) if hit.chunk.published > oldest.chunk.published
        )

    # A report published after the one leaned on ranks at least as high as without `later`.
    assert first_later(later) <= first_later(plain)
    assert later[0].chunk.published > oldest.chunk.published or later == plain


@pytest.mark.parametrize(
    ("question", "later"),
    [
        ("и когда после этого начались обмены пленными?", True),
        ("і хто зрештою очолив там російську делегацію?", True),
        ("so were the prisoners actually swapped?", True),
        ("and who led it?", False),
    ],
)
def test_a_follow_up_says_when_it_asks_what_came_after(question: str, later: bool) -> None:
    memory = ConversationMemory(turns=5)
    subject = "What was agreed in Istanbul on 2 June 2025?"
    memory.remember(("chat", 1), Turn(subject, subject, subject, ("istanbul-jun2",), True))
    assert understand(question, memory, ("chat", 1)).later is later
