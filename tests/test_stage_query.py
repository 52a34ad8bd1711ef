"""The query stage: a question normalized, in a language, embedded, and of a kind."""

from __future__ import annotations

import numpy as np

from bot.answers.query import make_query
from tests.support.embedders import FakeEmbedder


def test_a_query_is_the_normalized_question_embedded() -> None:
    embedder = FakeEmbedder()
    query = make_query(embedder, "  Who headed\u00a0the   delegation?  ")
    assert query.text == "Who headed the delegation?"
    assert query.language == "en"
    assert np.allclose(query.vector, embedder.encode([query.text], kind="query")[0])
    assert not query.status and query.track is None and query.prefer == () and query.focus is None


def test_a_query_knows_its_language_and_whether_it_asks_about_now() -> None:
    embedder = FakeEmbedder()
    assert make_query(embedder, "Що нового на переговорах?").language == "uk"
    assert make_query(embedder, "What's the latest on the talks?").status
    named = make_query(embedder, "Who met?", track="istanbul", prefer=["a", "b"], focus="Who?")
    assert named.status, "a question about a named track asks about its current state"
    assert (named.track, named.prefer, named.focus) == ("istanbul", ("a", "b"), "Who?")
