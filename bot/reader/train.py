"""Fine-tune the reader on SQuAD 2.0 data: `python -m bot.reader.train --data DIR --out DIR`."""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.reader.features import Window, batch_arrays, question_ids, windows
from bot.reader.squad import Example, read_examples, split_by_article

SQUAD_FILE = "squad2-dev-open.json"
TRAIN_FILES = ("tydiqa-goldp-en-train.json",)
# Steps between checkpoints, so a stopped run on a slow machine keeps most of its work.
SAVE_EVERY = 100


@dataclass(frozen=True)
class Recipe:
    """Everything that decides the trained weights, recorded beside them."""

    seed: int = 13
    epochs: int = 2
    batch: int = 16
    learning_rate: float = 1e-4
    warmup: float = 0.1
    frozen_layers: int = 6
    # SQuAD articles kept out of training: `test` for the reported figures, `dev` for the
    # no-answer threshold. Chosen by the seed, never by looking at scores.
    test_articles: int = 5
    dev_articles: int = 3
    max_steps: int = 500
    # A second stage starts from `init` (a checkpoint of the first) and trains on the `extra`
    # SQuAD-format files (the project's own questions over its articles) mixed with `public_sample`
    # questions drawn from the public data, so the reader adapts to news without forgetting.
    init: str = ""
    extra: tuple[str, ...] = ()
    public_sample: int = 0


def article_split(examples: list[Example], recipe: Recipe) -> dict[str, list[str]]:
    """Return the SQuAD article titles for train, dev and test, drawn with the recipe's seed."""
    titles = sorted({example.article for example in examples})
    random.Random(recipe.seed).shuffle(titles)
    test = sorted(titles[: recipe.test_articles])
    dev = sorted(titles[recipe.test_articles : recipe.test_articles + recipe.dev_articles])
    train = sorted(titles[recipe.test_articles + recipe.dev_articles :])
    return {"train": train, "dev": dev, "test": test}


def training_examples(data: Path, recipe: Recipe) -> tuple[list[Example], dict[str, list[str]]]:
    """Return the training examples and the article split they exclude."""
    squad = read_examples(data / SQUAD_FILE)
    split = article_split(squad, recipe)
    train, _ = split_by_article(squad, set(split["dev"]) | set(split["test"]))
    for name in TRAIN_FILES:
        train += read_examples(data / name)
    if recipe.public_sample:
        train = random.Random(recipe.seed).sample(train, min(recipe.public_sample, len(train)))
    for extra in recipe.extra:
        train += read_examples(Path(extra))
    return train, split


def training_windows(examples: list[Example]) -> list[Window]:
    """Return labelled windows; an answerable question uses its first answer."""
    result: list[Window] = []
    for item, example in enumerate(examples):
        answer = None
        if example.answerable:
            start = example.answer_starts[0]
            answer = (start, start + len(example.answers[0]))
        result += windows(item, question_ids(example.question), example.context, answer=answer)
    return result


def batches(items: list[Window], size: int, rng: random.Random) -> list[list[Window]]:
    """Shuffle, then sort within pools of 50 batches by length so padding stays small."""
    items = items[:]
    rng.shuffle(items)
    pool = size * 50
    result: list[list[Window]] = []
    for first in range(0, len(items), pool):
        chunk = sorted(items[first : first + pool], key=lambda window: len(window.ids))
        result += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(result)
    return result


def train(data: Path, out: Path, recipe: Recipe, *, max_minutes: float = 0.0) -> Path:
    """Train, saving a checkpoint after each epoch; return the last checkpoint's path."""
    import torch

    from bot.reader.network import build_network

    random.seed(recipe.seed)
    torch.manual_seed(recipe.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    examples, split = training_examples(data, recipe)
    items = training_windows(examples)
    network = build_network(frozen_layers=recipe.frozen_layers)
    earlier: dict[str, object] = {}
    if recipe.init:
        saved = torch.load(recipe.init, map_location="cpu", weights_only=False)
        network.load_state_dict(saved["weights"], strict=False)
        earlier = {"recipe": saved["recipe"], "steps": saved["steps"]}
    network = network.to(device)
    trainable = [parameter for parameter in network.parameters() if parameter.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=recipe.learning_rate, weight_decay=0.01)
    steps_per_epoch = math.ceil(len(items) / recipe.batch)
    total = recipe.epochs * steps_per_epoch
    if recipe.max_steps:
        total = min(total, recipe.max_steps)
    warmup = max(1, int(total * recipe.warmup))

    def rate(step: int) -> float:
        return step / warmup if step < warmup else max(0.0, (total - step) / (total - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, rate)
    out.mkdir(parents=True, exist_ok=True)
    print(f"{len(examples)} questions, {len(items)} windows, {total} steps on {device}", flush=True)
    rng = random.Random(recipe.seed)
    began, step, checkpoint = time.monotonic(), 0, out / "reader.pt"
    network.train()
    for epoch in range(1, recipe.epochs + 1):
        running = 0.0
        for batch in batches(items, recipe.batch, rng):
            ids, mask = (torch.from_numpy(array).to(device) for array in batch_arrays(batch))
            starts = torch.tensor([window.start_label for window in batch], device=device)
            ends = torch.tensor([window.end_label for window in batch], device=device)
            start_logits, end_logits = network(network.embed(ids), mask)
            loss = (
                torch.nn.functional.cross_entropy(start_logits, starts)
                + torch.nn.functional.cross_entropy(end_logits, ends)
            ) / 2
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimiser.step()
            scheduler.step()
            optimiser.zero_grad()
            step += 1
            running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
            minutes = (time.monotonic() - began) / 60
            if step % 20 == 0:
                print(
                    f"epoch {epoch} step {step}/{total} loss {running:.3f} {minutes:.1f} min",
                    flush=True,
                )
            if step % SAVE_EVERY == 0:
                save(network, checkpoint, recipe, split, step, earlier)
            if step >= total or (max_minutes and minutes >= max_minutes):
                break
        save(network, checkpoint, recipe, split, step, earlier)
        print(f"saved {checkpoint} after epoch {epoch} (step {step})", flush=True)
        if step >= total or (max_minutes and (time.monotonic() - began) / 60 >= max_minutes):
            break
    return checkpoint


def save(
    network: object,
    path: Path,
    recipe: Recipe,
    split: dict[str, list[str]],
    steps: int,
    earlier: dict[str, object],
) -> None:
    """Save every weight but the frozen word embeddings, with the recipes and split."""
    import torch

    weights = {
        name: tensor
        for name, tensor in network.state_dict().items()  # type: ignore[attr-defined]
        if "word_embeddings" not in name
    }
    record = {"recipe": asdict(recipe), "split": split, "steps": steps}
    if earlier:
        record["first_stage"] = earlier
    torch.save({"weights": weights, **record}, path)


def main() -> None:
    """Parse arguments and train."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--data", type=Path, required=True, help="folder with the SQuAD-format files"
    )
    parser.add_argument("--out", type=Path, default=Path("artifacts/reader"))
    parser.add_argument(
        "--max-steps", type=int, default=Recipe.max_steps, help="stop after this many steps"
    )
    parser.add_argument("--max-minutes", type=float, default=0.0, help="stop after this long")
    parser.add_argument("--frozen-layers", type=int, default=Recipe.frozen_layers)
    parser.add_argument("--epochs", type=int, default=Recipe.epochs)
    parser.add_argument("--learning-rate", type=float, default=Recipe.learning_rate)
    parser.add_argument("--init", default="", help="start from this checkpoint (a second stage)")
    parser.add_argument(
        "--extra", nargs="*", default=[], help="more SQuAD-format files to train on"
    )
    parser.add_argument(
        "--public-sample", type=int, default=0, help="train on this many public questions only"
    )
    arguments = parser.parse_args()
    recipe = Recipe(
        max_steps=arguments.max_steps,
        frozen_layers=arguments.frozen_layers,
        epochs=arguments.epochs,
        learning_rate=arguments.learning_rate,
        init=arguments.init,
        extra=tuple(arguments.extra),
        public_sample=arguments.public_sample,
    )
    path = train(arguments.data, arguments.out, recipe, max_minutes=arguments.max_minutes)
    print(json.dumps({"checkpoint": str(path), "recipe": asdict(recipe)}))


if __name__ == "__main__":
    main()
