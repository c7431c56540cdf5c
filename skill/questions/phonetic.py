"""Sound-alike keys, so words a speech recogniser swaps still find their term.

Recognisers err by sound: "lunge" comes back as "lunch", "lung" or
"lounge", "squat" as "squad", "thigh" as "tie", "cellulite" as "sell you
light", "protein" as "pro teen". :func:`key` maps a word to a coarse
pronunciation: spelling variants of one sound merge (c/k/q, ph/f, soft g/j,
tion/sh), voiced consonants fold into their voiceless pairs (d/t, g/k, v/f,
z/s, b/p, j/ch), every vowel run becomes one mark and a silent final e goes.
Words with the same key, or keys one edit apart when long enough to be
telling, sound alike. :class:`SoundIndex` finds the known word an unknown
word (or two or three heard words run together) most likely was.

Sounding alike is not enough on its own: a recogniser's slip is also spelt
much like the word meant ("shugar", "cremes", "squad"), while an ordinary
word that happens to share a coarse key ("kindly" and "candy", "summer" and
"sugar", "juice" and "jog") is spelt differently. So a guess must also share
most of its letters with the word (:func:`looks_alike`): at least half for
an exact sound match ("tie" and "thigh"), more for a near one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from functools import lru_cache

_RULES = (
    (re.compile(r"[^a-z]"), ""),
    (re.compile(r"dg|g(?=[eiy])"), "J"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"(?<=.)e$"), ""),
    (re.compile(r"igh|gh"), "i"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"wh"), "w"),
    (re.compile(r"th"), "t"),
    (re.compile(r"ti(?=[ao])|sh|tch|ch"), "J"),
    (re.compile(r"[cq]"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"(?<=[aeiou])y|y(?![aeiou])"), "a"),
)
_VOICELESS = str.maketrans({"d": "t", "g": "k", "v": "f", "z": "s", "b": "p", "j": "J"})
_VOWELS = re.compile(r"[aeiouy]+")
_REPEATS = re.compile(r"(.)\1+")
#: Words shorter than this are never guessed: too many everyday words sound
#: like "whey", "salt" or "hip"; the names recognisers garble are longer.
SHORTEST_WORD = 5
#: Keys at least this long may match one edit apart, or be heard across words.
FUZZY_FROM = 5
#: Share of letters a guess must have in common with the word it is taken for:
#: when the sounds match exactly, when they are one edit apart, and when
#: several heard words run together ("sell you light").
SAME_SOUND_LETTERS, NEAR_SOUND_LETTERS, JOINED_LETTERS = 0.5, 0.75, 0.6


#: Lookups remembered (bounded: a server hears any words).
_CACHE_SIZE = 50_000
_UNSEEN = object()


def looks_alike(heard: str, word: str, share: float) -> bool:
    """True if ``heard`` and ``word`` have at least ``share`` of their letters in common."""
    return SequenceMatcher(None, heard, word, autojunk=False).ratio() >= share


@lru_cache(maxsize=20_000)
def key(word: str) -> str:
    """The word's coarse pronunciation ("lunge" and "lunch" -> "lVnJ")."""
    w = word.lower()
    for pattern, replacement in _RULES:
        w = pattern.sub(replacement, w)
    w = _VOWELS.sub("V", w.translate(_VOICELESS))
    return _REPEATS.sub(r"\1", w)


def _deletions(k: str) -> set[str]:
    return {k[:i] + k[i + 1:] for i in range(len(k))}


def one_edit_apart(a: str, b: str) -> bool:
    """True if ``b`` is ``a`` with one symbol changed, added or dropped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    rest = a[i + 1:] if len(a) == len(b) else a[i:]
    return rest == b[i + 1:]


class SoundIndex:
    """Known words by key; finds the known word a heard word sounds like."""

    def __init__(self, words: Iterable[str]) -> None:
        self._by_key: dict[str, str] = {}
        for word in sorted(set(words)):  # sorted: the same choice in every process
            if len(word) >= SHORTEST_WORD:
                self._by_key.setdefault(key(word), word)
        self._found: dict[tuple[str, bool], str | None] = {}
        # One edit apart means sharing a key once at most one symbol is deleted from each.
        self._near: dict[str, list[str]] = {}
        for k in sorted(self._by_key):
            if len(k) >= FUZZY_FROM:
                for d in sorted(_deletions(k) | {k}):
                    self._near.setdefault(d, []).append(k)

    def lookup(self, heard: str, *, joined: bool = False) -> str | None:
        """The known word that sounds and looks like ``heard`` (``joined``: several
        heard words run together); remembered for the next question."""
        found = self._found.get((heard, joined), _UNSEEN)
        if found is _UNSEEN:
            found = self._lookup(heard, joined)
            if len(self._found) < _CACHE_SIZE:
                self._found[(heard, joined)] = found
        return found  # type: ignore[return-value]

    def _lookup(self, heard: str, joined: bool) -> str | None:
        k = key(heard)
        if len(k) < 2:
            return None
        if k in self._by_key:
            word = self._by_key[k]
            # A first letter heard differently needs more in common ("fine" is not "vein").
            share = (JOINED_LETTERS if joined or heard[0] != word[0] else SAME_SOUND_LETTERS)
            return word if looks_alike(heard, word, share) else None
        if len(k) < FUZZY_FROM:
            return None
        candidates = {c for d in _deletions(k) | {k} for c in self._near.get(d, ())}
        # Recognisers rarely get the first sound wrong ("morning" is not "burning").
        near = sorted(self._by_key[c] for c in candidates if c[0] == k[0] and one_edit_apart(k, c))
        share = JOINED_LETTERS if joined else NEAR_SOUND_LETTERS
        return near[0] if len(near) == 1 and looks_alike(heard, near[0], share) else None

    def join(self, words: Sequence[str], start: int, longest: int = 3) -> tuple[str, int] | None:
        """(known word, words used) when words[start:start+n] run together sound like one."""
        for n in range(min(longest, len(words) - start), 1, -1):
            joined = "".join(words[start:start + n])
            if len(key(joined)) < FUZZY_FROM:
                continue
            found = self.lookup(joined, joined=True)
            if found is not None:
                return found, n
        return None
