"""What the safety rules set aside: the tokens no rule counts.

A negated mention ("I'm not injured", "it doesn't hurt") sends no one to a
doctor, except breathlessness ("I can't breathe"), a symptom however it is
said; nor does a past one ("healed", "years ago"), a doctor's advice already
given ("my physio said lunges would help"), or someone else's pregnancy,
operation or condition told as news ("my pregnant friend asked whether
salt..."), unless the question asks what they may do ("can she squat?").
An animal's or a thing's legs are nobody's ("my dog's leg is swollen", "the
leg of my desk"). Read by the rules (:mod:`skill.questions.safety`), the
safety detector's gate and the matcher.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from skill.questions.eating_signs import plain_words
from skill.questions.tokens import Token

#: Concepts a negation does not cancel.
ALWAYS_MEANT = frozenset({"BREATH", "EMERGENCY"})
#: An injury, condition or operation said to have healed is history, not a reason to see anyone.
_PAST = frozenset({"INJURY", "CONDITION", "SURGERY", "PREGNANT", "ORGAN"})
#: Someone else's news ("my friend had surgery", "my pregnant sister asked") is not the
#: speaker's: these concepts count only when no one else is named beside them.
_OTHERS = frozenset({"friend", "friends", "mate", "mates", "mum", "mom", "mother", "dad", "father",
                     "sister", "brother", "aunt", "auntie", "uncle", "gran", "granny", "grandma",
                     "grandad", "grandpa", "grandmother", "grandfather", "wife", "husband",
                     "partner", "girlfriend", "boyfriend", "colleague", "coworker", "neighbour",
                     "neighbor", "daughter", "son", "cousin", "boss", "client", "clients"})
_THEIRS = frozenset({"PREGNANT", "SURGERY", "CONDITION", "INJURY", "DOCTOR", "MEDICINE", "ORGAN"})
#: ... unless the question asks what that person may do ("can she squat", "is it safe for him");
#: their doctor's word ("her doctor says she can squat") is still not the speaker's worry.
_ASKS_FOR_THEM = re.compile(
    r"\b(?:can|could|should|may|might|will|would|is|are)\s+(?:she|he|they|my\s+\w+|our\s+\w+)"
    r"\s+(?:still\s+|safely\s+|now\s+|even\s+)?(?:do|start|squat|lunge|skip|train|exercise|work"
    r"|go|try|run|walk|lift|use|join|carry|keep|get\s+back|take|have)\b"
    r"|\b(?:wants?|wanting|planning|hoping|keen)\s+to\s+(?:do|start|try|join|squat|lunge|train"
    r"|exercise|work\s+out|take)\b"
    r"|\b(?:she|he|they)\s+(?:can|could|should|may)\b"
    r"|\b(?:safe|ok|okay|alright|all right|fine|good|bad|dangerous|too much)\s+for\s+"
    r"(?:her|him|them|my\s+\w+)\b"
    r"|\bshould\s+(?:she|he|they)\s+avoid\b")
#: Body parts: beside an animal or a thing they are its.
_BODY = frozenset({"LEG", "LIMB"})
#: Furniture has legs of its own ("the chair has one short leg"); its words also mean sitting.
_FURNITURE = frozenset({"chair", "chairs", "sofa", "couch", "desk", "table", "bed", "stool"})
#: A doctor who has already advised ("my physio said lunges would help", "the nurse told
#: me to walk more") is no reason to see one, unless the advice holds the speaker back.
_ADVISED = re.compile(
    r"\b(?:doctor|doctors|gp|physician|physio|physiotherapist|nurse|midwife)\s+(?:\w+\s+)?"
    r"(?:said|says|told|tells|recommended|recommends|suggested|suggests|advised|advises"
    r"|reckons|reckoned|wants me|gave me|cleared me|signed me off)\b")
_HELD_BACK = re.compile(r"\b(?:not|no|never|stop|stopped|avoid|rest|careful|shouldn't|should not"
                        r"|can't|cannot|don't|off|until|wait|take it easy)\b")

def set_aside(toks: Sequence[Token], text: str, words: str) -> frozenset[int]:
    """The tokens no rule counts: negated (but breathlessness), said to have healed,
    someone else's news, or an animal's or a thing's."""
    healed = any(t.term == "HEALED" and not t.negated for t in toks)
    theirs = (any(t.term in _THEIRS for t in toks)  # (read only for these terms)
              and _ASKS_FOR_THEM.search(words) is None)
    animals = not_a_persons(toks, text)
    advice = _ADVISED.search(words)
    advised = advice is not None and _HELD_BACK.search(words, advice.end()) is None
    return frozenset(i for i, t in enumerate(toks) if (t.negated and t.term not in ALWAYS_MEANT)
                     or (healed and t.term in _PAST)
                     or (t.term in _THEIRS and (theirs or t.term == "DOCTOR")
                         and _someone_else(toks, i))
                     or (advised and t.term == "DOCTOR")
                     or i in animals)


def _someone_else(toks: Sequence[Token], i: int) -> bool:
    """Someone other than the speaker is named within three words of ``toks[i]``."""
    clause = toks[i].clause
    return any(t.surface in _OTHERS and t.clause == clause for t in toks[max(0, i - 3):i + 4])


def not_a_persons(toks: Sequence[Token], text: str) -> frozenset[int]:
    """The tokens of a clause about an animal's or a thing's legs ("my dog's leg
    is swollen", "a spider has fat legs", "my sofa has a wobbly leg", "the leg of
    my desk"): an animal or a piece of furniture that has a leg just after it, and not "my" leg ("walking my dog and my calf swelled", "fell off the
    ladder, ankle swollen")."""
    owners = [i for i, t in enumerate(toks)
              if not t.heard and (t.term == "OTHERLEG" or t.surface in _FURNITURE)]
    if not owners:
        return frozenset()
    said = text.lower().replace("\u2019", "'")
    words = plain_words(text)
    clauses = {toks[i].clause for i in owners
               if any(n.term in _BODY and n.clause == toks[i].clause
                      and _owns(toks[i].surface, n.surface, said)
                      and not _mine(n.surface, toks[i].surface, words) for n in toks[i + 1:i + 4])
               or any(n.term in _BODY and n.clause == toks[i].clause
                      and _part_of(n.surface, toks[i].surface, said) for n in toks[max(0, i - 2):i])}
    return frozenset(i for i, t in enumerate(toks) if t.clause in clauses)


def _owns(animal: str, part: str, said: str) -> bool:
    """"dog's", "dogs'", "the dog has", or "dogs leg" as a recogniser writes it."""
    name = re.escape(animal)
    return re.search(rf"\b{name}(?:'s|s'|\s+(?:has|have|had|is|was)\b|s?\s+{re.escape(part)}\b)",
                     said) is not None


def _part_of(part: str, owner: str, said: str) -> bool:
    """"the leg of my desk", "the legs of a spider"."""
    return re.search(rf"\b{re.escape(part)}\s+of\s+(?:the|my|a|an|our|his|her|their)\s+"
                     rf"(?:\w+\s+)?{re.escape(owner)}\b", said) is not None


def _mine(part: str, animal: str, words: str) -> bool:
    """"my" comes just before ``part`` after ``animal`` in the question's words."""
    after = words.partition(animal)[2]
    return re.search(rf"\bmy\s+(?:\w+\s+){{0,2}}?{re.escape(part)}\b", after) is not None
