"""A learned scorer: how likely each topic (or out of scope) is, from weights
fitted to the labelled questions.

The matcher's similarity scores a question against the topics' own
documents; this scores it with weights a linear classifier (multinomial
logistic regression) learned from every labelled question, sample and
phrasing, so words and slips that no document has still count. Its
features are the matcher's normalised words (after any carrier phrase):
each word and pair of words, each term (with "!" when negated), the topics
whose cues fire (the shape of a question: "..., what's true?"), and the
character n-grams of each word padded with spaces (robust to spelling and
to a recogniser's slips). Each block of features is scaled by one over the
square root of its size.

Here only the weights are read (:data:`MODEL_FILE`, JSON, shipped in the
package) and the features summed in pure Python: a dict lookup per word,
word pair and term (a word's n-grams are summed once and remembered). A
feature's weights for every class are packed into one integer, a field of
:data:`FIELD` bits per class, so one integer addition adds them all, exactly
(thousandths): no loop over the classes until the sums are read. The
weights are fitted at build time by :mod:`skill.questions.training`
(scikit-learn, the dev extra):

    python -m skill.questions.training          # rewrite learned.json
    python -m skill.questions.training --check  # exit 1 if it differs

Safety topics are no class: the scorer never sends anyone to a doctor.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from skill.core.content import read_data
from skill.questions.normaliser import Token

MODEL_FILE = Path(__file__).with_name("learned.json")
#: The class for questions that are none of ours.
OUT_OF_SCOPE = "out_of_scope"
#: Weights are stored in thousandths.
SCALE = 1000
#: Probabilities are compared at this many decimals (float sums differ in the last bits).
DECIMALS = 9
#: Words whose n-gram sums are remembered (bounded: a server hears any word).
_CACHE_SIZE = 20_000

V = TypeVar("V")


def word_features(words: Sequence[str], toks: Sequence[Token],
                  cues: Sequence[str] = ()) -> list[str]:
    """Each word and pair of neighbouring words, each term ("!" when negated), and
    each topic whose cue fires (:mod:`skill.questions.cues`)."""
    return [*("q " + c for c in cues), *("w " + w for w in words),
            *(f"w {a} {b}" for a, b in zip(words, words[1:])),
            *(("t !" if t.negated else "t ") + t.term for t in toks)]


def char_grams(word: str, sizes: tuple[int, int]) -> list[str]:
    """The character n-grams of ``word`` padded with a space each side."""
    padded = f" {word} "
    return [padded[i:i + n] for n in range(sizes[0], sizes[1] + 1)
            for i in range(len(padded) - n + 1)]


#: Each class's weights are summed in a field of this many bits of one integer.
FIELD = 64
_HALF = 1 << (FIELD - 1)  # a field holds sums from -_HALF to _HALF - 1 thousandths


def _packed(flat: Sequence[int]) -> int:
    """[class, thousandths, class, thousandths, ...] as one integer, class c's
    thousandths times 2 ** (FIELD * c): adding two such integers adds their
    weights class by class, exactly (and in any order)."""
    return sum(flat[i + 1] << (FIELD * flat[i]) for i in range(0, len(flat), 2))


class _Remembered(dict[str, V]):
    """Each key's value, computed by ``compute`` when first asked for and kept
    (up to :data:`_CACHE_SIZE` keys: a server hears any word)."""

    def __init__(self, compute: Callable[[str], V]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key: str) -> V:
        value = self._compute(key)
        if len(self) < _CACHE_SIZE:
            self[key] = value
        return value


class LearnedScorer:
    """Class probabilities for a question's words and tokens."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.classes: tuple[str, ...] = tuple(data["classes"])
        self.bias: tuple[float, ...] = tuple(b / SCALE for b in data["bias"])
        self.sizes: tuple[int, int] = (int(data["chars"][0]), int(data["chars"][1]))
        # Weights stay as read until a question needs them (reading is then only json's).
        words: Mapping[str, Sequence[int]] = data["words"]
        self._chars: Mapping[str, Sequence[int]] = data["char_grams"]
        #: A word, pair or term's weights, packed (0 if it has none).
        self._weights = _Remembered(lambda feature: _packed(words.get(feature, ())))
        self._spelling = _Remembered(self._spelt)
        # Added to a sum, makes each field's sum non-negative, so it can be read alone.
        n = len(self.classes)
        self._bias_fields = sum(_HALF << (FIELD * c) for c in range(n))
        self._fields = struct.Struct(f"<{n}Q")

    def _spelt(self, word: str) -> tuple[int, int]:
        """A word's number of n-grams, and their weights summed and packed."""
        grams = char_grams(word, self.sizes)
        return len(grams), sum(_packed(self._chars.get(g, ())) for g in grams)

    def _unpacked(self, total: int) -> list[float]:
        """A packed sum's weight for each class."""
        biased = total + self._bias_fields
        return [(field - _HALF) / SCALE
                for field in self._fields.unpack(biased.to_bytes(self._fields.size, "little"))]

    def logits(self, words: Sequence[str], toks: Sequence[Token], cues: Sequence[str] = (),
               feats: Sequence[str] | None = None) -> list[float]:
        """Each class's bias plus its weights times the features (``feats``: the
        :func:`word_features` of the others, if already known): the weights
        are summed exactly, as integers (thousandths), so the same in every
        process and whatever the order."""
        if feats is None:
            feats = word_features(words, toks, cues)
        said = self._unpacked(sum(map(self._weights.__getitem__, feats)))
        found = list(map(self._spelling.__getitem__, words))
        spelt = self._unpacked(sum(packed for _, packed in found))
        grams = sum(count for count, _ in found)
        a = 1 / math.sqrt(len(feats)) if feats else 0.0
        b = 1 / math.sqrt(grams) if grams else 0.0
        return [z + a * x + b * y for z, x, y in zip(self.bias, said, spelt)]

    def unrounded(self, words: Sequence[str], toks: Sequence[Token], cues: Sequence[str] = (),
                  feats: Sequence[str] | None = None) -> list[float]:
        """Each class's probability, in the order of :attr:`classes`, not rounded."""
        logits = self.logits(words, toks, cues, feats)
        top = max(logits)
        exps = [math.exp(z - top) for z in logits]
        total = math.fsum(exps)
        return [e / total for e in exps]

    def probabilities(self, words: Sequence[str], toks: Sequence[Token], cues: Sequence[str] = (),
                      feats: Sequence[str] | None = None) -> dict[str, float]:
        """Class -> probability (summing to 1), rounded to :data:`DECIMALS`."""
        return {c: round(p, DECIMALS)
                for c, p in zip(self.classes, self.unrounded(words, toks, cues, feats))}


@cache
def load_scorer() -> LearnedScorer:
    """The shipped weights (``skill/questions/learned.json``), read once."""
    return LearnedScorer(read_data("questions/learned.json"))

