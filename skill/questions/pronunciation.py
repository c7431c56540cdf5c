"""How alike two pronunciations sound, for the slips table (:mod:`skill.questions.slips`).

Pronunciations are ARPAbet phones without stress marks (:func:`phones`), also
as said in accents without /r/ after a vowel and with a long a in "calves"
(:func:`accents`). :func:`distance` is a weighted edit distance from the
phones meant to the phones heard: substitutions cost by how close two phones
sound (voicing pairs, nasals, neighbouring vowels, /th/ heard as /t/ or /f/);
dropping a final consonant, a consonant in a cluster, /h/ or an /r/ or /l/
after a vowel costs little; :func:`limit` is the most a slip may cost.
Used only when the table is built, never by the matcher.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: ARPAbet vowels (AX is the schwa, an unstressed AH).
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


def phones(pronunciation: str) -> tuple[str, ...]:
    """ARPAbet without stress marks; an unstressed AH is the schwa AX."""
    return tuple("AX" if p == "AH0" else p.rstrip("012") for p in pronunciation.split())


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
