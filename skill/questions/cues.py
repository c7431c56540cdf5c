"""Cues: what a kind of question says, whatever its words, as data.

Similarity alone misses the shape of a question: "will leg raises burn my
thigh fat" shares words with the exercise answers, but an exercise, a fat
word and a verb of losing together ask whether exercise can pick the spot.
A cue names such a shape for one topic (``[cues]`` in
``skill/questions/vocabulary.toml``), and a topic whose cue fires scores
:data:`CUE_BONUS` more. A cue is a list of terms, all required:

- ``LEG``: a concept or a word (a word counts by its term: "make" -> "mak");
- ``A/B``: either term;
- ``!LOSE``: the term said in the negative ("won't slim");
- ``?BULKY``: the term said either way ("I don't want bulky legs" is about bulk);
- ``-SALT``: the term not said at all.

Cues read the tokens the normaliser made, so negation, "just/only" scope
and sound-alike words work for them as for everything else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from skill.core.content import KnowledgeError
from skill.questions.tokens import Token

#: What a firing cue adds to its topic's score (cosine similarities run 0 to about 1.1).
CUE_BONUS = 0.3


@dataclass(frozen=True)
class Cue:
    """One shape of question for one topic (index into the matcher's topics)."""

    topic: int
    said: tuple[frozenset[str], ...]
    denied: tuple[frozenset[str], ...]
    named: tuple[frozenset[str], ...]
    unsaid: frozenset[str]

    def fires(self, said: frozenset[str], denied: frozenset[str]) -> bool:
        return (all(alts & said for alts in self.said)
                and all(alts & denied for alts in self.denied)
                and all(alts & said or alts & denied for alts in self.named)
                and self.unsaid.isdisjoint(said) and self.unsaid.isdisjoint(denied))


def compile_cues(raw: Mapping[str, Sequence[str]], topic_ids: Sequence[str],
                 term: Callable[[str], str], concepts: Iterable[str]) -> tuple[Cue, ...]:
    """The cues of ``raw`` (topic id -> patterns), checked: a known topic and
    known concepts (names in capitals), words turned into their terms."""
    names = frozenset(concepts)
    index = {tid: i for i, tid in enumerate(topic_ids)}

    def terms(part: str, where: str) -> frozenset[str]:
        out = set()
        for alt in part.split("/"):
            if alt.isupper() and alt not in names:
                raise KnowledgeError(f"vocabulary.toml: cues: {where}: unknown concept {alt!r}")
            out.add(alt if alt.isupper() else term(alt))
        return frozenset(out)

    cues = []
    for tid, patterns in sorted(raw.items()):
        if tid not in index:
            raise KnowledgeError(f"vocabulary.toml: cues: unknown topic {tid!r}")
        for pattern in patterns:
            where = f"{tid} {pattern!r}"
            parts = pattern.split()
            if not parts:
                raise KnowledgeError(f"vocabulary.toml: cues: {tid}: an empty cue")
            said = tuple(terms(p, where) for p in parts if p[0] not in "!?-")
            denied = tuple(terms(p[1:], where) for p in parts if p[0] == "!")
            named = tuple(terms(p[1:], where) for p in parts if p[0] == "?")
            unsaid = frozenset().union(*(terms(p[1:], where) for p in parts if p[0] == "-"))
            if not (said or denied or named):
                raise KnowledgeError(f"vocabulary.toml: cues: {where}: nothing to look for")
            cues.append(Cue(index[tid], said, denied, named, unsaid))
    return tuple(cues)


class CueIndex:
    """The cues by the terms that can start them, so a question only tries the
    cues whose first required term it contains."""

    def __init__(self, cues: Sequence[Cue], n_topics: int) -> None:
        self.n_topics = n_topics
        self._by_term: dict[str, list[Cue]] = {}
        for cue in cues:
            first = (cue.said or cue.denied or cue.named)[0]
            for term in sorted(first):
                self._by_term.setdefault(term, []).append(cue)

    def bonus(self, toks: Sequence[Token]) -> list[float]:
        """:data:`CUE_BONUS` for each topic with a cue that fires on ``toks``, else 0."""
        said = frozenset(t.term for t in toks if not t.negated)
        denied = frozenset(t.term for t in toks if t.negated)
        bonus = [0.0] * self.n_topics
        by_term = self._by_term
        for term in said | denied:
            for cue in by_term.get(term, ()):
                if not bonus[cue.topic] and cue.fires(said, denied):
                    bonus[cue.topic] = CUE_BONUS
        return bonus
