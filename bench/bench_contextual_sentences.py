"""How far sentence vectors pooled from the chunk pass are from the sentences encoded alone.

    python bench/bench_contextual_sentences.py [--model NAME] [--chunk-shares 0 0.25 0.5 0.75]

Chunks the sample library (data/articles) as ingest does, runs the encoder once per chunk and
pools each sentence's token states (index/contextual_sentences.py), then prints the cosine of
each to the same sentence encoded alone: as shipped, with a share of the chunk's mean state
subtracted, and with the `passage:` prefix and <s>/</s> states added to each pool. Then the
reverse: each chunk's vector summed from its title's and sentences' own passes, against the
chunk's. Raw vectors (language directions kept).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.chunking import (  # noqa: E402
    ChunkingSettings,
    chunk_article,
    embedding_text,
    split_sentences,
)
from index.contextual_sentences import sentence_spans  # noqa: E402
from index.documents import Article  # noqa: E402
from index.embedders.base import set_threads, unit_rows  # noqa: E402
from index.embedders.registry import load_embedder  # noqa: E402
from index.loaders import load_articles  # noqa: E402
from index.sentence_vectors import sentence_texts  # noqa: E402

PREFIX_TOKENS = 2  # "▁passage", ":"


def main() -> None:
    """Print min and mean cosine to the sentences encoded alone, per pooling variant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="multilingual-e5-small-onnx-int8")
    parser.add_argument("--chunk-shares", type=float, nargs="+", default=[0, 0.25, 0.5, 0.75])
    args = parser.parse_args()
    set_threads(2)
    model = load_embedder(args.model, language_neutral=False)
    articles = [a for a in load_articles([ROOT / "data/articles"]) if isinstance(a, Article)]
    chunks = [
        chunk
        for article in articles
        for chunk in chunk_article(
            article,
            article_id=article.key,
            settings=ChunkingSettings(),
            count_tokens=model.count_tokens,
            window_tokens=model.max_tokens,
        )
    ]
    shift = len(model.passage_prefix)  # type: ignore[attr-defined]
    spans, wholes, with_markers, alone_texts = [], [], [], []
    for chunk in chunks:
        text = model.passage_prefix + embedding_text(chunk)  # type: ignore[attr-defined]
        encoding = model._tokenizer.encode(text, add_special_tokens=False)  # type: ignore[attr-defined]
        specials = model._specials  # type: ignore[attr-defined]
        window = specials[:1] + encoding.ids + specials[1:]
        hidden = model._hidden([window])[0][0]  # type: ignore[attr-defined]
        offsets = np.asarray(encoding.offsets).reshape(-1, 2)
        states = hidden[1 : 1 + len(offsets)]
        markers = np.concatenate([hidden[: 1 + PREFIX_TOKENS], hidden[-1:]])
        found = sentence_spans(chunk)
        assert found is not None
        for (start, end), (_, embedded) in zip(found, sentence_texts(chunk.text), strict=True):
            inside = (offsets[:, 0] < end + shift) & (offsets[:, 1] > start + shift)
            spans.append(states[inside].mean(axis=0))
            wholes.append(hidden.mean(axis=0))
            with_markers.append(np.concatenate([states[inside], markers]).mean(axis=0))
            alone_texts.append(embedded)
    alone = model.encode(alone_texts)
    print(f"{len(chunks)} chunks, {len(alone_texts)} sentences; cosine to each encoded alone:")
    for share in args.chunk_shares:
        cosines = np.sum(unit_rows(np.array(spans) - share * np.array(wholes)) * alone, axis=1)
        print(f"  minus {share:.2f} of the chunk's mean: min {cosines.min():.3f}"
              f" mean {cosines.mean():.3f}")  # fmt: skip
    cosines = np.sum(unit_rows(np.array(with_markers)) * alone, axis=1)
    print(f"  prefix and <s>/</s> added: min {cosines.min():.3f} mean {cosines.mean():.3f}")
    summed = [sum(_token_states(model, piece).sum(axis=0) for piece in [chunk.title,
              *split_sentences(chunk.text)]) for chunk in chunks]  # fmt: skip
    whole = model.encode([embedding_text(chunk) for chunk in chunks])
    cosines = np.sum(unit_rows(np.array(summed)) * whole, axis=1)
    print(f"chunk vectors from the pieces' own passes, cosine to the chunk's: "
          f"min {cosines.min():.3f} mean {cosines.mean():.3f}")  # fmt: skip


def _token_states(model: object, text: str) -> np.ndarray:
    """Return every position's state of one passage encoded alone, markers included."""
    prefixed = model.passage_prefix + text  # type: ignore[attr-defined]
    encoding = model._tokenizer.encode(prefixed, add_special_tokens=False)  # type: ignore[attr-defined]
    specials = model._specials  # type: ignore[attr-defined]
    return model._hidden([specials[:1] + encoding.ids + specials[1:]])[0][0]  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
