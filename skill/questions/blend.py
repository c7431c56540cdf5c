"""How the learned scorer's probabilities join the similarity scores.

A topic scores ``(1 - weight) * similarity + weight * probability``, its
probability rounded to :data:`DECIMALS` first and the sum after (as every
score is: the same answer in every process). A question has one best topic,
so only the topics whose score may be best are rounded: each topic's score
from its unrounded probability is within ``weight / 2`` units of the last
decimal of the one from its rounded probability, and rounding the sum moves
it by at most half a unit, so no topic more than :data:`_NEAR` below the best
unrounded score can be best. :class:`Blended` gives the scores of the
straightforward blend, to the bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from skill.questions.similarity import DECIMALS

#: Farther below the best unrounded score than this, a topic cannot be best
#: once rounded (three units of the last decimal: more than the two roundings can move it).
_NEAR = 3 * 10.0**-DECIMALS


@dataclass(frozen=True)
class Blend:
    """How the learned scorer's probabilities join the similarity scores: a topic
    scores ``(1 - weight) * similarity + weight * probability``; a question the
    scorer finds out of scope with at least ``out_of_scope`` is out of scope; one
    with no leg, fitness or food word is still answered when a topic's
    probability is at least ``sure``. A question is out of scope for a low score
    only when its best similarity alone is low too (a flat guess halves no score)."""

    weight: float = 0.5
    out_of_scope: float = 1.01
    sure: float = 1.01


class Blended:
    """One question's probabilities, blended into its scores: ``topics``, each
    topic's unrounded probability (0 for a topic that is no class, such as a
    safety topic), and ``none_of_ours``, out of scope's."""

    def __init__(self, blend: Blend, topics: Sequence[float], none_of_ours: float) -> None:
        self.blend = blend
        self._topics = topics
        #: A topic's probability is at least :attr:`Blend.sure` (rounding keeps the order).
        self.confident = round(max(topics, default=0.0), DECIMALS) >= blend.sure
        #: Out of scope's probability is at least :attr:`Blend.out_of_scope`.
        self.out_of_scope = round(none_of_ours, DECIMALS) >= blend.out_of_scope

    def score(self, scores: Sequence[float], i: int) -> float:
        """Topic ``i``'s blended score, from its similarity score ``scores[i]``."""
        weight, p = self.blend.weight, self._topics[i]
        return round((1 - weight) * scores[i] + weight * round(p, DECIMALS), DECIMALS)

    def best(self, scores: Sequence[float]) -> int:
        """The topic with the best blended score, the first of equals."""
        weight = self.blend.weight
        rough = [(1 - weight) * s + weight * p for s, p in zip(scores, self._topics)]
        near = max(rough) - _NEAR
        found = [(self.score(scores, i), -i) for i, r in enumerate(rough) if r >= near]
        return -max(found)[1]
