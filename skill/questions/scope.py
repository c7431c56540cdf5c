"""Questions in the coach's words that ask for what it does not coach.

Leg Coach helps people slim and shape their legs. A goal to grow ("how do I
bulk up my legs", "I'd love bigger calves", "best way to build muscle mass")
uses the same words as the worry it answers ("will squats make my legs
bulky?"), but asks for the opposite: it is out of scope, said honestly.
A worry ("I don't want to bulk up", "will I get big legs from squats?") or
a goal that also slims ("build muscle and lose fat") is not a goal to grow.

:func:`grows` reads the words after any carrier phrase, as the matcher's
normaliser gives them, so a question typed whole and the same question
heard as Alexa's slot ("how do I {query}": "bulk up my legs") read the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_GROWING = (r"(?:get (?:a )?(?:bigger|thicker|huge|massive|big|bulkier|more muscular|jacked|swole)"
            r"|grow|gain (?:muscle|mass|size|weight)|build (?:up )?(?:muscle|mass|size|bigger)"
            r"|bulk(?:ing)?(?: up)?|put on (?:muscle|size|mass)|add (?:muscle|size|mass)"
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
