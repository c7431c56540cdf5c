"""The blend rounds only the topics that may be best: it must find the best
topic and its score of the straightforward blend (every topic rounded), to
the bit, even among scores a unit of the last decimal apart."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from skill.questions.blend import Blend, Blended
from skill.questions.similarity import DECIMALS


def straightforward(blend: Blend, scores: list[float], probs: list[float]) -> list[float]:
    """Each topic's probability rounded, then its blended score rounded."""
    weight = blend.weight
    return [round((1 - weight) * s + weight * round(p, DECIMALS), DECIMALS)
            for s, p in zip(scores, probs)]


def near(values: list[float]) -> st.SearchStrategy[float]:
    """One of a few values, moved by a few tenths of a unit of the last decimal:
    many near ties."""
    return st.builds(lambda v, d: max(0.0, v + d * 10.0 ** -(DECIMALS + 1)),
                     st.sampled_from(values), st.integers(-25, 25))


SCORES = near([0.0, 0.3, 0.4123456785, 0.7, 0.9])
PROBS = near([0.0, 0.05, 0.2876543215, 0.35, 0.7])


@settings(max_examples=400, deadline=None)
@given(weight=st.sampled_from([0.5, 0.3, 0.75, 1.0, 0.0]),
       rows=st.lists(st.tuples(SCORES.map(lambda s: round(s, DECIMALS)), PROBS),
                     min_size=1, max_size=12),
       none_of_ours=PROBS)
def test_the_best_topic_and_its_score_are_the_straightforward_blend_s(
        weight: float, rows: list[tuple[float, float]], none_of_ours: float) -> None:
    scores, probs = [s for s, _ in rows], [p for _, p in rows]
    blend = Blend(weight, out_of_scope=0.7, sure=0.7)
    blended = Blended(blend, probs, none_of_ours)
    full = straightforward(blend, scores, probs)
    best = blended.best(scores)
    assert best == full.index(max(full))  # the first of equals
    assert [blended.score(scores, i) for i in range(len(rows))] == full
    assert blended.confident == (max(round(p, DECIMALS) for p in probs) >= 0.7)
    assert blended.out_of_scope == (round(none_of_ours, DECIMALS) >= 0.7)
