"""Questions in the coach's words that ask for what it does not coach.

Leg Coach helps people slim and shape their legs. A goal to grow ("how do I
bulk up my legs", "I'd love bigger calves", "best way to build muscle mass")
uses the same words as the worry it answers ("will squats make my legs
bulky?"), but asks for the opposite: it is out of scope, said honestly.
A worry ("I don't want to bulk up", "will I get big legs from squats?") or
a goal that also slims ("build muscle and lose fat") is not a goal to grow.

An ache that is not in the legs ("a stiff neck", "my lower back is stiff"),
asked about with nothing else of ours, is out of scope too, and so is
training an animal ("how do I train my dog to sit"), an errand ("book me
a massage") and a spot on the face ("a spot on my chin"), which is no fat.

:func:`grows` reads the words after any carrier phrase, as the matcher's
normaliser gives them, so a question typed whole and the same question
heard as Alexa's slot ("how do I {query}": "bulk up my legs") read the same.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from skill.questions.tokens import Token

_GROWING = (r"(?:get (?:a )?(?:bigger|thicker|huge|massive|big|bulkier|more muscular|jacked|swole)"
            r"|grow|gain (?:muscle|mass|size|weight)"
            r"|build (?:up )?(?:muscle|mass|size|bigger|big|huge|massive|thick|thicker|beefy|bulky)"
            r"|bulk(?:ing)?(?: up)?|(?:put|pack) on (?:muscle|size|mass)|add (?:muscle|size|mass)"
            r"|make (?:\w+ ){1,2}(?:bigger|thicker|huge|more muscular))")
_ASKING_TO = (r"(?:how (?:do|can|should|would|could) (?:i|you|one|we)|how to|how i can|ways? to"
              r"|tips (?:to|for|on)|help me|(?:want|need|would like|trying) to|wanna)")
#: "bulk up my legs" (after "how do I"), "... best way to build muscle".
_GOAL = re.compile(rf"^(?:a |my )?{_GROWING}\b"
                   rf"|\b{_ASKING_TO} (?:\w+ ){{0,2}}?{_GROWING}\b")
#: "I'd love a bigger bum", "we want bigger legs" ("I want" alone is a carrier: "bigger
#: legs" could be a worry as well as a goal).
_WANT = re.compile(r"\b(?:want|love|like|wish for) (?:a |my \w+ )?(?:bigger|thicker|more muscular"
                   r"|bulkier|huge|massive)\b")
#: Words of a worry, a cause or slimming: then the question is one we answer.
_NOT_A_GOAL = re.compile(
    r"\b(?:not|never|avoid|without|worried|worry|scared|afraid|instead|too|from|doing|end up"
    r"|slim\w*|thin\w*|lose|losing|lost|fat|tone|toned|toning|lean\w*|burn\w*|shrink\w*|smaller"
    r"|swell\w*|swollen|puffy)\b")


def grows(words: Sequence[str]) -> bool:
    """True for a goal to grow, not slim: ``words`` of "how can I bulk up my thighs"."""
    plain = " ".join(words)
    return bool((_GOAL.search(plain) or _WANT.search(plain)) and not _NOT_A_GOAL.search(plain))


#: Places that are not the legs: an ache there is not the coach's subject.
NOT_LEGS = frozenset({"neck", "shoulder", "shoulders", "back", "wrist", "wrists", "elbow",
                      "elbows", "hand", "hands", "arm", "arms", "jaw", "head"})
#: The words of an ache, and the places it may be said with, and nothing else of ours.
_ACHE_ONLY = frozenset({"SORE", "PAIN", "BODYPART"})
_PLACE_WORDS = 2
_TEACHING = frozenset({"train", "training", "trained", "teach", "teaching", "taught"})


def sore_elsewhere(toks: Sequence[Token]) -> bool:
    """Every ache said ("stiff", "sore", "aching") is beside a place that is not
    the legs, and no leg is beside it: "my neck is stiff", "sore shoulders"."""
    sore = [i for i, t in enumerate(toks) if t.term == "SORE" and not t.negated]
    return bool(sore) and all(_placed_elsewhere(toks, i) for i in sore)


def _placed_elsewhere(toks: Sequence[Token], i: int) -> bool:
    near = [t for t in toks[max(0, i - _PLACE_WORDS):i + _PLACE_WORDS + 1]
            if t.clause == toks[i].clause]
    return (any(t.surface in NOT_LEGS for t in near)
            and not any(t.term in ("LEG", "LIMB", "MUSCLE") for t in near))


def aches_elsewhere(toks: Sequence[Token], domain: Collection[str]) -> bool:
    """An ache that is not in the legs, and nothing else of ours in the question
    (``domain``: its terms that show legs, fitness or food)."""
    return sore_elsewhere(toks) and set(domain) <= _ACHE_ONLY


def trains_an_animal(toks: Sequence[Token]) -> bool:
    """"train my dog to sit", "teaching the puppy": an animal just after training."""
    return any(t.surface in _TEACHING and any(n.term == "OTHERLEG" for n in toks[i + 1:i + 3])
               for i, t in enumerate(toks))


#: Errands the coach cannot run ("book me a massage", "order me some bands").
_ERRAND = re.compile(r"\b(?:book|order|buy|get|reserve) (?:me|us) (?:a|an|some|the)\b")
#: A spot on the face or a spotty back is a blemish, not a place to slim.
_BLEMISH = re.compile(r"\bspots? on (?:my|me|the|her|his|their|your) (?:\w+ )?"
                      r"(?:chin|face|nose|forehead|cheek|cheeks|back|neck|chest|shoulders)\b")


def an_errand_or_a_blemish(words: Sequence[str]) -> bool:
    """The question's words (after any carrier phrase) ask for an errand or about a spot on the skin."""
    plain = " ".join(words)
    return bool(_ERRAND.search(plain) or _BLEMISH.search(plain))
