"""The safety layer: which questions get a see-a-doctor answer, most urgent first.

Runs before any similarity scoring and alone decides the safety topics; it
reads the question's tokens (:mod:`skill.questions.normaliser`), and its words
for what tokens drop (pronouns, numbers), never their scores.
Soreness counts as pain, but not the muscle soreness of training asked about
with rest days or the next session ("stiff from yesterday's squats, can I go
again today"), nor the ache of a long day on one's feet. A negated mention ("I'm not injured", "it doesn't hurt") is no reason to
send anyone to a doctor, except breathlessness ("I can't breathe"), which is
a symptom however it is said. Nor is a past one ("healed", "years ago"), or
someone else's pregnancy, operation or condition told as news ("my pregnant
friend asked whether salt..."); but a question about what they may do ("my
sister is pregnant, can she squat?", "is it safe for him") is routed as if
it were the speaker's, and so are their symptoms ("my mum's leg is swollen").
An animal's or a table's legs are nobody's ("my dog's leg is swollen"). What
is set aside so is read in :mod:`skill.questions.set_aside`.
Each rule names the topic and why; the rules are tried in order of urgency:
the emergencies first (chest pain, a swollen leg with breathlessness or
feeling faint, the signs of a stroke, a suddenly cold, pale, painful leg),
each answered by calling emergency services, then a clot, then signs of an
eating problem (:mod:`skill.questions.eating_signs`), then the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from skill.questions.eating_signs import eating_sign, plain_words
from skill.questions.scope import sore_elsewhere
from skill.questions.set_aside import set_aside
from skill.questions.tokens import Token

_ONE_SIDE = frozenset({"one", "left", "right", "single"})
_SIDE_PARTS = frozenset({"LEG", "LIMB", "side", "sid"})
_ONE_LEG = frozenset({"leg", "calf", "thigh"})
_BOTH_LEGS = frozenset({"legs", "calves", "thighs", "ankles", "feet", "both"})
_LEGS = frozenset({"LEG", "LIMB"})
_MOVING = frozenset({"EXERCISE", "SQUAT", "LUNGE", "BRIDGE", "SKIP", "CARDIO", "STRENGTH", "MUSCLE"})
#: What everyday muscle soreness is asked about with.
_EVERYDAY_SORE = frozenset({"REST", "DAILY", "MASSAGE", "SOAK", "SIT", "PROTEIN"})
#: ... or a session done and the next one asked about ("can I train again today")...
_NEXT_SESSION = re.compile(r"\b(?:again|another|today|tonight|next (?:session|workout|one))\b")
#: ... said with the session it came from ("stiff from yesterday, can I do legs again today").
_LAST_SESSION = re.compile(r"\b(?:from|after|since) (?:yesterday|last night|leg day|the gym"
                           r"|(?:my |the |yesterday's |last night's )?(?:workout|session|class))\b")
#: ... or a long day standing ("after a long shift on my feet"), where feet are no sore joint.
_ON_FEET = re.compile(r"\bon (?:my|me|her|his|their|your) feet\b|\bstanding (?:all|for)\b"
                      r"|\b(?:long|whole|all) (?:day|days|shift|shifts)\b")
#: The words of warning signs and of conditions the rules read.
_SIGNS = frozenset({"PAIN", "SORE", "SWELL", "INJURY", "CONDITION", "SURGERY", "PREGNANT", "ORGAN",
                    "NUMB", "CLOT", "VARICOSE", "LIPO", "MEDICINE", "DOCTOR", "WEAK", "FAINT",
                    "LUMP", "COLOUR", "WARM", "RED", "BRUISE", "EMERGENCY", "BREATH",
                    "STARVE", "STOPEAT"})
#: Where a stroke shows: slurred speech, a face that droops.
_SLURRED = ("slur",)
_DROOPING = frozenset({"droop", "drooping", "drooped", "droops"})
_FALLEN = frozenset({"dropped", "fallen", "fell"})
#: A leg that has lost its blood supply is cold and pale, white or blue.
_COLD = frozenset({"cold", "freezing", "icy", "ice", "frozen"})
_PALE = frozenset({"white", "blue", "grey", "gray"})
_CHANGED = re.compile(r"\b(?:gone|goes|going|go|went|turned|turns|turning|changed|changing"
                      r"|suddenly|keeps|patch|patches)\b")
_PALE_WITH = frozenset({"PAIN", "SORE", "SWELL", "NUMB", "WARM", "RED", "SUDDEN", "PERSISTENT"})
#: A word only guessed by its sound counts if it names a condition; symptoms are never guessed.
_NAMES = frozenset({"VARICOSE", "LIPO", "CLOT", "PREGNANT", "NUMB"})
#: One leg unlike the other ("my calf is darker than the other one"): a colour, or warmth.
_UNLIKE_THE_OTHER = re.compile(
    r"\b(darker|redder|purpler|bluer|paler|warmer|hotter|(?:a )?different colou?r)\s+"
    r"(?:than|to|from)\s+(?:the\s+|my\s+)?(?:other|left|right)\b")
_WARMER = ("warmer", "hotter")
#: Pain only supposed ("what do I do if squats hurt my knees") asks for another move.
#: (read the same after a carrier phrase: "what {query}" hears "can i do if ...")
_IF_IT_HURTS = re.compile(r"\bi do if (?:\w+ ){0,3}?(?:hurt|hurts)\b")
#: An ache with no cause, or a question of who to see about it, is for a doctor to look into.
_NO_REASON = re.compile(r"\bfor no (?:apparent |obvious )?reason\b|\bno idea why\b"
                        r"|\bconstantly\b|\bwho (?:should|do|can|could) i see\b")


def safety_rule(toks: Sequence[Token], unknown: int = 0, text: str = "") -> tuple[str, str] | None:
    """(safety topic id, reason) for the most urgent rule that fires, else None.
    ``text`` is the question as asked: its pronouns and numbers, which tokens drop."""
    words = plain_words(text)
    aside = set_aside(toks, text, words)
    meant = [t for i, t in enumerate(toks) if i not in aside
             and (not t.heard or (t.term in _NAMES and len(t.heard) >= 6))]
    has = frozenset(t.term for t in meant)
    terms = [t.term for t in meant]
    surfaces = frozenset(t.surface for t in meant)
    pain = _pain(toks, meant, words)
    unlike = _UNLIKE_THE_OTHER.search(words)
    # (warm water is a soak, and red bumps after shaving are the skin's: "razor rash")
    hot = (bool(has & {"WARM", "RED"}) and not has & {"SOAK", "GROOM"}) or (
        unlike is not None and unlike.group(1) in _WARMER)
    # Pale skin is a look ("pale legs in summer"), unless it came on or comes with another sign.
    colour = "COLOUR" in has and not (
        all(t.surface == "pale" for t in meant if t.term == "COLOUR")
        and _CHANGED.search(words) is None and not has & _PALE_WITH and not surfaces & _COLD)
    discoloured = colour or (unlike is not None and unlike.group(1) not in _WARMER)
    # One side: "my left leg", or one leg named alone ("my calf is swollen"; both
    # legs or ankles swelling by evening is everyday fluid, and swelling for weeks
    # is a doctor's question, not a sudden one).
    said_side = any(t.surface in _ONE_SIDE and _SIDE_PARTS & set(terms[i + 1:i + 4])
                    for i, t in enumerate(meant))
    one_sided = (said_side
                 or (any(t.surface in _ONE_LEG for t in meant) and "PERSISTENT" not in has
                     and not any(t.surface in _BOTH_LEGS for t in meant)))
    sudden = "SUDDEN" in has
    # A calf that got fat or big suddenly on one side is swelling, not fat.
    swell = "SWELL" in has or (bool(has & {"FAT", "BIG"}) and said_side and sudden)
    leg = bool(has & _LEGS)
    faint = "FAINT" in has
    chest = any(t.surface == "chest" and {"PAIN", "SORE", "TONE", "FAT"} & set(terms[i + 1:i + 4])
                for i, t in enumerate(meant))
    # A knee or ankle that swells and hurts after exercise is an injury, not a clot.
    joint_injury = "LIMB" in has and "LEG" not in has and bool(has & _MOVING)
    resists = any(t.term == "LOSE" and t.negated for t in toks)
    # A stroke: slurred speech, a drooping face, or sudden weakness or numbness on one
    # side ("I suddenly can't lift my left leg": a limb that won't move, however it is said).
    weak = "WEAK" in has or "weak" in surfaces or ("INJURY" in has and "buckled" in surfaces)
    stuck = any(t.negated and t.surface in ("lift", "move") for t in toks)
    side = said_side or _one_side(toks)
    arm_and_leg = "arm" in surfaces and leg
    face = "face" in surfaces and (bool(surfaces & _DROOPING)
                                   or (bool(surfaces & _FALLEN) and (side or sudden)))
    one_side_gone = sudden and (((weak or stuck) and side)
                                or ((weak or stuck or "NUMB" in has) and arm_and_leg)
                                or ("NUMB" in has and _one_side_of_body(toks)))
    # A leg that has lost its blood supply: cold and pale, painful, sudden or numb.
    cold = (bool(surfaces & _COLD) and bool(has & _LEGS)
            and ("COLOUR" in has or bool(surfaces & _PALE)) and (pain or sudden or "NUMB" in has))
    eating = eating_sign(meant, words)
    for topic, reason, fires in (
        ("emergency", "chest pain", "EMERGENCY" in has or chest),
        ("emergency", "breathless or faint with a swollen or painful leg",
         ("BREATH" in has or faint) and (swell or pain or "CLOT" in has)),
        ("stroke_signs", "slurred speech or a drooping face",
         face or any(t.surface.startswith(_SLURRED) for t in meant)),
        ("stroke_signs", "sudden weakness or numbness on one side", one_side_gone),
        ("cold_leg", "a cold, pale, painful leg", cold),
        ("blood_clot", "names a clot", "CLOT" in has),
        ("blood_clot", "swelling that is one-sided, sudden, red, warm or painful",
         swell and (one_sided or sudden or hot or (pain and not joint_injury))),
        ("blood_clot", "a discoloured leg that is swollen, warm or painful",
         discoloured and leg and (swell or hot or pain)),
        ("blood_clot", "a red or warm leg", hot and leg),
        ("eating_problems", eating or "", eating is not None),
        ("after_surgery", "recent surgery", "SURGERY" in has),
        ("after_surgery", "an organ taken out", _taken_out(meant, words)),
        ("after_surgery", "recovering from an injury", "INJURY" in has and "REST" in has),
        ("pregnancy", "pregnancy", "PREGNANT" in has),
        ("numbness", "numbness or pins and needles", "NUMB" in has),
        ("numbness", "legs that stay weak", "WEAK" in has and bool(has & (_LEGS | {"PERSISTENT"}))
         and not has & (_MOVING | {"OTHERLEG"})),
        ("numbness", "sudden or one-sided weakness",
         ("WEAK" in has or any(t.surface == "weak" for t in meant)) and (sudden or said_side)),
        ("lipoedema", "names lipoedema", "LIPO" in has),
        ("lipoedema", "bruising legs", "BRUISE" in has and bool(has & (_LEGS | {"FAT"}))),
        ("lipoedema", "painful fat",
         pain and (_near(terms, "PAIN", "FAT") or _near(terms, "SORE", "FAT"))),
        ("lipoedema", "fat legs that ache or hurt, not from training",
         pain and "FAT" in has and "LEG" in has and not has & _MOVING),
        ("lipoedema", "painful legs that don't slim",
         pain and "LEG" in has and (resists or "DIET" in has)),
        ("varicose_veins", "varicose veins", "VARICOSE" in has),
        ("medicine", "medicines or doses", "MEDICINE" in has),
        ("see_doctor", "swelling that lasts", swell and "PERSISTENT" in has),
        ("see_doctor", "dizzy, faint or a racing heart", "FAINT" in has),
        ("see_doctor", "a lump", "LUMP" in has),
        ("see_doctor", "a leg or foot changing colour", discoloured and bool(has & _LEGS)),
        ("see_doctor", "a health condition", "CONDITION" in has),
        ("leg_pain", "an injured leg", "INJURY" in has and bool(has & (_LEGS | _MOVING))),
        ("see_doctor", "legs that ache for no reason", pain and leg and bool(_NO_REASON.search(words))),
        ("leg_pain", "leg pain", pain and "ALT" not in has and bool(has & (_LEGS | _MOVING))),
        ("leg_pain", "a knee or ankle that swells with exercise", swell and joint_injury),
        ("see_doctor", "pain", "PAIN" in has and "ALT" not in has and not leg),
        ("see_doctor", "asks about a doctor",
         "DOCTOR" in has and (bool(has & (_LEGS | {"FAT"})) or not unknown)),
    ):
        if fires:
            return topic, reason
    return None


def _pain(toks: Sequence[Token], meant: Sequence[Token], words: str) -> bool:
    """Pain, or soreness that is no everyday soreness of training (``meant``: the tokens counted)."""
    has = frozenset(t.term for t in meant)
    if "SORE" not in has:  # only soreness is told apart from the everyday kind
        return "PAIN" in has and not _IF_IT_HURTS.search(words)
    # Soreness is pain, except the everyday soreness of muscles asked about with
    # rest, massage or sitting ("my legs are always sore, should I take days
    # off", "massage guns for sore legs", "stiff after sitting"): joints still count.
    # (said either way: "not getting enough protein" is still about training)
    # Soreness after a session asked about with the next one, or after a long day
    # on one's feet, is everyday too; soreness that has lasted weeks is not.
    on_feet = _ON_FEET.search(words) is not None
    joint = any(t.term == "LIMB" and not (on_feet and t.surface == "feet") for t in meant)
    everyday_sore = (not joint and "PAIN" not in has
                     and (any(t.term in _EVERYDAY_SORE for t in toks) or on_feet
                          or ((bool(has & _MOVING) or _LAST_SESSION.search(words) is not None)
                              and not has & {"TIME", "PERSISTENT"}
                              and _NEXT_SESSION.search(words) is not None)))
    # ... and so is stiffness in the neck or the shoulders ("stiff neck, can I still squat").
    return (("PAIN" in has and not _IF_IT_HURTS.search(words))
            or ("SORE" in has and not everyday_sore and not sore_elsewhere(meant)))


def signs_set_aside(toks: Sequence[Token], text: str = "") -> bool:
    """The question names a warning sign only to set it aside ("I'm not injured",
    "it doesn't hurt", "my knee healed years ago", "my friend had surgery", "my dog's
    leg is swollen"): the rules route it no doctor, and no second opinion may."""
    words = plain_words(text)
    aside = set_aside(toks, text, words)
    if any(toks[i].term in _SIGNS for i in aside):
        return True
    # ... nor pain only supposed, everyday soreness, or pain asked about with another move
    # ("what do I do if squats hurt my knees", "achy after leg day, can I go again").
    meant = [t for i, t in enumerate(toks) if i not in aside and not t.heard]
    said = {t.term for t in meant}
    return bool(said & {"PAIN", "SORE"}) and ("ALT" in said or not _pain(toks, meant, words))


def _taken_out(meant: Sequence[Token], words: str) -> bool:
    """An organ said to be out or removed ("had my appendix out", "her womb taken out")."""
    return any(t.term == "ORGAN" and re.search(
        rf"\b{re.escape(t.surface)}\s+(?:\w+\s+)?(?:out|removed|removal)\b", words) is not None
        for t in meant)


def _one_side(toks: Sequence[Token]) -> bool:
    """"One", "left" or "right" just before a leg or a side, said or in a
    negation ("I can't lift my left leg")."""
    return any(t.surface in _ONE_SIDE
               and any(n.term in _SIDE_PARTS or n.surface in _SIDE_PARTS for n in toks[i + 1:i + 4])
               for i, t in enumerate(toks))


def _one_side_of_body(toks: Sequence[Token]) -> bool:
    """One side of the body, not of a leg: "one side", "my left side"."""
    return any(t.surface in _ONE_SIDE and n.surface == "side" for t, n in zip(toks, toks[1:]))


def _near(terms: Sequence[str], a: str, b: str, distance: int = 1) -> bool:
    where_a = [i for i, t in enumerate(terms) if t == a]
    return any(abs(i - j) <= distance for i in where_a for j, t in enumerate(terms) if t == b)
