""""Just" and "only": what they limit in a question's tokens.

Next to a part of the body they become SPOT ("just my thighs", "thighs
only"), next to an activity ALONE ("just jog", "swimming alone"); before
anything else they only soften ("it's just fat") and count for nothing.
Read by the normaliser (:mod:`skill.questions.normaliser`) once a clause's
tokens are made.
"""

from __future__ import annotations

from skill.questions.tokens import Token

#: "just"/"only" (the ONLY concept) next to a place -> SPOT, next to an activity -> ALONE.
_PLACES = frozenset({"LEG", "LIMB", "BODYPART"})
_AFTER_WORD = frozenset({"alone", "solely"})
#: Words after "just" that make it soften a description, not limit a place.
_DESCRIBERS = frozenset({"TONE", "GENE", "tell", "feel", "look", "seem", "carry", "stor",
                         # "just water on my legs", "just muscle": merely that, no place
                         "WATER", "SWELL", "MUSCLE", "CELLULITE"})
#: Kinds of activity: a negation that sets an exercise aside covers them, and "just"
#: before one means ALONE.
ACTIVITIES = frozenset({"CARDIO", "EXERCISE", "STRENGTH", "SQUAT", "LUNGE", "SKIP", "BRIDGE"})


def just_and_only(toks: list[Token]) -> list[Token]:
    """"just" and "only" limit what follows them ("just my thighs", "just jog"), or
    what they end ("thighs only"): SPOT for a part of the body, ALONE for an
    activity. Before anything else they only soften ("it's just fat", "my legs
    just won't slim") and count for nothing."""
    out = []
    for i, tok in enumerate(toks):
        if tok.term != "ONLY":
            out.append(tok)
            continue
        after = [t.term for t in toks[i + 1:i + 4] if t.clause == tok.clause]
        ends = i == len(toks) - 1 or toks[i + 1].clause != tok.clause
        before = [toks[i - 1].term] if i and toks[i - 1].clause == tok.clause else []
        # "alone" and "solely" limit the word before them ("swimming alone").
        near = before if tok.surface in _AFTER_WORD else _limited(after) + (before if ends else [])
        kinds = ["SPOT" if t in _PLACES else "ALONE" for t in near if t in _PLACES | ACTIVITIES]
        if kinds:
            out.append(Token(tok.surface, kinds[0], tok.negated, tok.clause, tok.heard))
    return out


def _limited(after: list[str]) -> list[str]:
    """The words "just" or "only" can limit: up to a word that tells, looks or
    feels ("just my thighs", "just slimmer calves", but not "just tell me what
    to do for slimmer legs" or "they feel just as tight around my thighs",
    where "just" only softens)."""
    for i, term in enumerate(after):
        if term in _DESCRIBERS:
            return after[:i]
    return after
