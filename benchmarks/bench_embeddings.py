"""Would a word-embedding model earn its place as a second similarity signal?

The model is WordLlama's default (``wordllama`` on PyPI: 256-d static token
embeddings whose weights and tokenizer ship in the wheel, MIT; the
``embeddings`` extra, installed by ``make test``). Static (bag-of-embeddings)
models are the only class fast enough to try here: a contextual one takes
tens of milliseconds a question on this CPU. Three designs are scored beside
the matcher as it is:

(a) blend: each topic's score plus ``BLEND_WEIGHT`` x the best cosine between
    the question's embedding and the topic's documents (title, samples,
    phrasings, keywords), with the out-of-scope threshold re-derived;
(a') the same as it could ship with neither the model nor numpy: a shipped
    table of the model's whole words, topics as centroids;
(b) back-off: a word no topic uses counts as the concept nearest to it
    (cosine >= ``BACKOFF_MIN``), a table that could be made offline and
    shipped without the model;
(c) embeddings alone: the nearest document's topic.

Safety rules and the leg, fitness or food evidence run first in every design,
so none can send a question to or away from a doctor. Weights and thresholds
were chosen on the training and seen questions; the held-out questions are
scored as totals only. Then what the model adds to a cold start (import and
load in a fresh interpreter, beside importing ask-sdk-core alone, as
bench_coldstart.py's baseline) and the blend's time per question. Prints
figures only; no pass/fail.

What it showed: (b) and (c) lose on every set. (a) answers more seen and
held-out questions rightly (9 more of 529 held out) with no change in safety,
false alarms or out of scope, but it needs the model's tokenizer and numpy
at run time (about 120 MB unpacked with the model, half a second more to load
than all of ask-sdk-core, several hundred microseconds more a question):
past the Lambda package, the cold start and the 1 ms a question. (a'), which
would fit them, keeps almost none of the gain (2 of 529). So the matcher does
not use an embedding.

Run: .venv/bin/python benchmarks/bench_embeddings.py
"""

from __future__ import annotations

import gc
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import numpy as np  # noqa: E402

from labelled import KINDS, Question, heldout, score, seen, training  # noqa: E402
from skill.questions.knowledge import Knowledge, load_knowledge  # noqa: E402
from skill.questions.matcher import Match, Matcher  # noqa: E402
from skill.questions.normaliser import Token  # noqa: E402
from skill.questions.stemmer import stem  # noqa: E402
from skill.questions.similarity import DECIMALS  # noqa: E402

#: (a): weight of the embedding cosine, and the threshold it needs (tuned on training).
BLEND_WEIGHT, BLEND_THRESHOLD = 0.3, 0.3
#: (a'): the same from a table: dimensions kept, and the weight (tuned on training).
TABLE_DIM, TABLE_WEIGHT = 128, 0.2
#: (b): least cosine for a word to stand for a strong leg, fitness or food concept.
BACKOFF_MIN = 0.7
#: (c): least cosine with the nearest document for an answer.
ALONE_THRESHOLD = 0.3


def load_model() -> object:
    """WordLlama's default model from the files in its wheel, never downloaded.
    (Its loader looks for the bundled tokenizer under ``tokenizer/`` while the
    wheel has it under ``tokenizers/``: pointing the cache at the package
    itself finds both files.)"""
    import wordllama

    return wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent,
                                    disable_download=True)


class Embedded(Matcher):
    """The matcher with the embedding cosine added to its scores ((a)), or in their place ((c))."""

    def __init__(self, knowledge: Knowledge, model: object, *, weight: float, threshold: float,
                 alone: bool = False) -> None:
        super().__init__(knowledge, threshold=threshold)
        self.model, self.weight, self.alone = model, weight, alone
        docs = [(i, text) for i, topic in enumerate(knowledge.topics.values()) if not topic.safety
                for text in self._documents(topic)]
        self.doc_vectors = model.embed([text for _, text in docs], norm=True)  # type: ignore[attr-defined]
        # Documents come topic by topic: each topic's best is one reduceat.
        self.topics = sorted({i for i, _ in docs})
        self.starts = [[i for i, _ in docs].index(t) for t in self.topics]

    def embedded(self, toks: Sequence[Token]) -> list[float]:
        """Each topic's best cosine with the question's meaningful words."""
        best = [0.0] * len(self.topic_ids)
        if toks:
            query = self.model.embed([" ".join(t.surface for t in toks)], norm=True)[0]  # type: ignore[attr-defined]
            tops = np.maximum.reduceat(self.doc_vectors @ query, self.starts)
            for topic, cosine in zip(self.topics, tops.tolist()):
                best[topic] = max(0.0, round(cosine, 6))
        return best

    def scores(self, toks: Sequence[Token], *, refers: bool = False,
               bonus: Sequence[float] | None = None) -> list[float]:
        if self.alone:
            return self.embedded(toks)
        base = super().scores(toks, refers=refers, bonus=bonus)
        return [round(s + self.weight * e, DECIMALS) if s else 0.0
                for s, e in zip(base, self.embedded(toks))]


class Tabled(Matcher):
    """(a) as it could ship without the model or numpy: a question is the sum
    of its words' rows in a table of the model's whole words (``TABLE_DIM``
    dimensions, int8), a topic the normalised sum of its documents' unit
    vectors, and the cosine is added to topics that score already."""

    def __init__(self, knowledge: Knowledge, table: dict[str, np.ndarray]) -> None:
        super().__init__(knowledge)
        self.table = table
        centroids = np.zeros((len(self.topic_ids), TABLE_DIM))
        for i, topic in enumerate(knowledge.topics.values()):
            for text in () if topic.safety else self._documents(topic):
                centroids[i] += self.vector(t.surface for t in self.tokens(text))
        norms = np.linalg.norm(centroids, axis=1, keepdims=True)
        self.centroids = centroids / np.where(norms == 0, 1, norms)

    def vector(self, words: Iterable[str]) -> np.ndarray:
        total = sum((self.table[w] for w in words if w in self.table), np.zeros(TABLE_DIM))
        norm = np.linalg.norm(total)
        return total / norm if norm else total

    def scores(self, toks: Sequence[Token], *, refers: bool = False,
               bonus: Sequence[float] | None = None) -> list[float]:
        near = (self.centroids @ self.vector(t.surface for t in toks)).tolist()
        return [round(s + TABLE_WEIGHT * round(c, 6), DECIMALS) if s else 0.0
                for s, c in zip(super().scores(toks, refers=refers, bonus=bonus), near)]


def whole_words(model: object, dim: int) -> dict[str, np.ndarray]:
    """The model's whole words ("▁word", three letters or more), their rows'
    first ``dim`` dimensions scaled by one factor to int8."""
    import wordllama

    config = Path(wordllama.__file__).parent / "tokenizers" / "l2_supercat_tokenizer_config.json"
    vocab = json.loads(config.read_text(encoding="utf-8"))["model"]["vocab"]
    rows = sorted((t[1:], i) for t, i in vocab.items() if re.fullmatch("▁[a-z]{3,}", t))
    matrix = model.embedding[[i for _, i in rows], :dim]  # type: ignore[attr-defined]
    table = np.round(matrix / (np.abs(matrix).max() / 127)).astype(np.int8).astype(np.float64)
    return {word: row for (word, _), row in zip(rows, table)}


class BackedOff(Matcher):
    """The matcher reading a word no topic uses as its nearest concept ((b))."""

    def __init__(self, knowledge: Knowledge, table: dict[str, str]) -> None:
        super().__init__(knowledge)
        self.table = table

    def scores(self, toks: Sequence[Token], *, refers: bool = False,
               bonus: Sequence[float] | None = None) -> list[float]:
        # (its tokens are not the question's: their cues are read again, not ``bonus``)
        def backed(t: Token) -> Token:
            if t.term in self.known or t.heard:
                return t
            term = self.table.get(t.surface) or self.table.get(stem(t.surface))
            return Token(t.surface, term, t.negated, t.clause, t.heard) if term else t
        return super().scores([backed(t) for t in toks], refers=refers)


def backoff_table(knowledge: Knowledge, model: object) -> dict[str, str]:
    """The model's whole English words unknown to the matcher -> the strong domain
    concept nearest to them, where it is near enough."""
    import wordllama

    matcher = Matcher(knowledge)
    vocabulary = matcher.normaliser.vocabulary
    strong = sorted(c for c, w in vocabulary.domain.items() if w == 1.0)
    targets = [(c, w) for c in strong for w in sorted(vocabulary.concepts) if vocabulary.concepts[w] == c]
    config = Path(wordllama.__file__).parent / "tokenizers" / "l2_supercat_tokenizer_config.json"
    tokens = json.loads(config.read_text(encoding="utf-8"))["model"]["vocab"]
    words = sorted({t[1:] for t in tokens if re.fullmatch("\u2581[a-z]{4,}", t)}
                   - vocabulary.stopwords)
    words = [w for w in words if matcher.normaliser.term(w) not in matcher.known]
    cosines = (model.embed(words, norm=True)  # type: ignore[attr-defined]
               @ model.embed([w for _, w in targets], norm=True).T)  # type: ignore[attr-defined]
    best = cosines.argmax(axis=1)
    return {w: targets[j][0] for w, j, row in zip(words, best.tolist(), cosines)
            if row[j] >= BACKOFF_MIN}


def line(name: str, items: Sequence[Question], match: Callable[[str], Match]) -> str:
    s = score(items, match)
    kinds = "  ".join(f"{kind} {s.by_kind[kind][0]}/{s.by_kind[kind][1]}" for kind in KINDS)
    return f"    {name:<9} {s.share:6.1%} ({s.right}/{s.total})  {kinds}  false alarms {s.false_alarms}"


#: Timed in a fresh interpreter each: the model as a cold start would load it, and the baseline.
COLD_MODEL = ("import time; t = time.perf_counter(); import pathlib, wordllama; "
              "wordllama.WordLlama.load(cache_dir=pathlib.Path(wordllama.__file__).parent, "
              "disable_download=True); print(time.perf_counter() - t)")
COLD_BASELINE = ("import time; t = time.perf_counter(); import ask_sdk_core.skill_builder; "
                 "print(time.perf_counter() - t)")


def cold_seconds(code: str, runs: int = 5) -> float:
    """Median wall time of ``code`` in ``runs`` fresh interpreters."""
    return statistics.median(
        float(subprocess.run([sys.executable, "-c", code], check=True,
                             capture_output=True, text=True).stdout)
        for _ in range(runs))


def per_call_us(match: Callable[[str], object], texts: Sequence[str], rounds: int) -> str:
    samples = []
    gc.disable()  # as bench_matcher.py: collector pauses are not the matcher's cost
    try:
        for _ in range(rounds):
            for text in texts:
                start = time.perf_counter_ns()
                match(text)
                samples.append((time.perf_counter_ns() - start) / 1000)
    finally:
        gc.enable()
    samples.sort()
    return (f"mean {statistics.fmean(samples):7.1f} us  p50 {samples[len(samples) // 2]:7.1f} us"
            f"  p99 {samples[int(0.99 * len(samples))]:7.1f} us")


def main() -> int:
    knowledge = load_knowledge()
    start = time.perf_counter()
    import wordllama
    imported = time.perf_counter()
    model = load_model()
    loaded = time.perf_counter()
    weights = sum(f.stat().st_size for f in (Path(wordllama.__file__).parent / "weights").iterdir())
    print(f"wordllama {wordllama.__version__}: weights {weights / 1e6:.1f} MB in the wheel; "
          f"import {imported - start:.2f} s, load {loaded - imported:.2f} s")
    model_s, baseline_s = cold_seconds(COLD_MODEL), cold_seconds(COLD_BASELINE)
    print(f"in a fresh interpreter (median of 5): importing and loading the model {model_s:.2f} s,"
          f" importing ask-sdk-core alone {baseline_s:.2f} s ({model_s / baseline_s:.1f} x)")

    held, old = heldout(), seen()
    train = [q for q in training() if q.batch.count(".") == 0]
    table = backoff_table(knowledge, model)
    designs: list[tuple[str, Matcher]] = [
        ("the matcher as it is", Matcher(knowledge)),
        (f"(a) blend, weight {BLEND_WEIGHT}, threshold {BLEND_THRESHOLD}",
         Embedded(knowledge, model, weight=BLEND_WEIGHT, threshold=BLEND_THRESHOLD)),
        (f"(a') the blend from a table ({TABLE_DIM} dimensions, int8), topic centroids, "
         f"weight {TABLE_WEIGHT}", Tabled(knowledge, whole_words(model, TABLE_DIM))),
        (f"(b) back-off table ({len(table)} words at cosine >= {BACKOFF_MIN})",
         BackedOff(knowledge, table)),
        (f"(c) embeddings alone, threshold {ALONE_THRESHOLD}",
         Embedded(knowledge, model, weight=1.0, threshold=ALONE_THRESHOLD, alone=True)),
    ]
    for name, matcher in designs:
        print(f"\n  {name}")
        print(line("training", train, matcher.match))
        print(line("seen", old, matcher.match))
        print(line("HELD-OUT", held, matcher.match))  # totals only

    texts = [q.text for q in (*old, *train)]
    print("\ntime per question (seen and training questions, 3 rounds):")
    print(f"  {'the matcher as it is':<24} {per_call_us(designs[0][1].match, texts, 3)}")
    print(f"  {'(a) blend':<24} {per_call_us(designs[1][1].match, texts, 3)}")
    print(f"  {'(a) from a table':<24} {per_call_us(designs[2][1].match, texts, 3)}")
    embed = model.embed  # type: ignore[attr-defined]
    print(f"  {'the embedding alone':<24} {per_call_us(lambda t: embed([t], norm=True), texts, 3)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
