"""The safety layer: which questions get a see-a-doctor answer, most urgent first.

Runs before any similarity scoring and alone decides the safety topics; it
reads the question's tokens (:mod:`skill.questions.normaliser`), never their scores.
Soreness counts as pain, but not the muscle soreness of training asked about
with rest days. A negated mention ("I'm not injured", "it doesn't hurt") is no reason to
send anyone to a doctor, except breathlessness ("I can't breathe"), which is
a symptom however it is said. Nor is a past one ("healed", "years ago"), or
someone else's pregnancy, operation or condition ("my pregnant friend asked").
Each rule names the topic and why; the rules
are tried in order of urgency, so a swollen leg with breathlessness leads
with emergency services even when it also mentions pregnancy or surgery, and
so does feeling faint, dizzy or a racing heart with a bad leg.
"""

from __future__ import annotations

from collections.abc import Sequence

from skill.questions.normaliser import Token

_ONE_SIDE = frozenset({"one", "left", "right", "single"})
_SIDE_PARTS = frozenset({"LEG", "LIMB", "side", "sid"})
_ONE_LEG = frozenset({"leg", "calf", "thigh"})
_BOTH_LEGS = frozenset({"legs", "calves", "thighs", "ankles", "feet", "both"})
_LEGS = frozenset({"LEG", "LIMB"})
_MOVING = frozenset({"EXERCISE", "SQUAT", "LUNGE", "BRIDGE", "SKIP", "CARDIO", "STRENGTH", "MUSCLE"})
#: What everyday muscle soreness is asked about with.
_EVERYDAY_SORE = frozenset({"REST", "DAILY", "MASSAGE", "SOAK", "SIT", "PROTEIN"})
#: Concepts a negation does not cancel.
_ALWAYS_MEANT = frozenset({"BREATH", "EMERGENCY"})
#: An injury, condition or operation said to have healed is history, not a reason to see anyone.
_PAST = frozenset({"INJURY", "CONDITION", "SURGERY", "PREGNANT"})
#: Someone else's news ("my friend had surgery", "my pregnant sister asked") is not the
#: speaker's: these concepts count only when no one else is named beside them.
_OTHERS = frozenset({"friend", "friends", "mate", "mates", "mum", "mom", "mother", "dad", "father",
                     "sister", "brother", "aunt", "auntie", "uncle", "gran", "granny", "grandma",
                     "grandad", "grandpa", "grandmother", "grandfather", "wife", "husband",
                     "partner", "girlfriend", "boyfriend", "colleague", "coworker", "neighbour",
                     "neighbor", "daughter", "son", "cousin", "boss", "client", "clients"})
_THEIRS = frozenset({"PREGNANT", "SURGERY", "CONDITION", "INJURY", "DOCTOR", "MEDICINE"})
#: What follows "stopped eating" when it is a diet ("stopped eating bread").
_FOODS = frozenset({"DIET", "SUGAR", "SALT", "PROTEIN", "FAT"})
#: A word only guessed by its sound counts if it names a condition; symptoms are never guessed.
_NAMES = frozenset({"VARICOSE", "LIPO", "CLOT", "PREGNANT", "NUMB"})


def safety_rule(toks: Sequence[Token], unknown: int = 0) -> tuple[str, str] | None:
    """(safety topic id, reason) for the most urgent rule that fires, else None."""
    healed = any(t.term == "HEALED" and not t.negated for t in toks)
    meant = [t for i, t in enumerate(toks) if (not t.negated or t.term in _ALWAYS_MEANT)
             and (not t.heard or (t.term in _NAMES and len(t.heard) >= 6))
             and not (healed and t.term in _PAST)
             and not (t.term in _THEIRS and _someone_else(toks, i))]
    has = frozenset(t.term for t in meant) | _eating(meant)
    terms = [t.term for t in meant]
    # Soreness is pain, except the everyday soreness of muscles asked about with
    # rest, massage or sitting ("my legs are always sore, should I take days
    # off", "massage guns for sore legs", "stiff after sitting"): joints still count.
    # (said either way: "not getting enough protein" is still about training)
    training_sore = (any(t.term in _EVERYDAY_SORE for t in toks)
                     and not has & {"LIMB", "PAIN"})
    pain = "PAIN" in has or ("SORE" in has and not training_sore)
    hot = bool(has & {"WARM", "RED"}) and "SOAK" not in has
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
    joint = "LIMB" in has and "LEG" not in has and bool(has & _MOVING)
    resists = any(t.term == "LOSE" and t.negated for t in toks)
    for topic, reason, fires in (
        ("emergency", "chest pain", "EMERGENCY" in has or chest),
        ("emergency", "breathless or faint with a swollen or painful leg",
         ("BREATH" in has or faint) and (swell or pain or "CLOT" in has)),
        ("blood_clot", "names a clot", "CLOT" in has),
        ("blood_clot", "swelling that is one-sided, sudden, red, warm or painful",
         swell and (one_sided or sudden or hot or (pain and not joint))),
        ("blood_clot", "a discoloured leg that is swollen, warm or painful",
         "COLOUR" in has and leg and (swell or hot or pain)),
        ("blood_clot", "a red or warm leg", hot and leg),
        ("after_surgery", "recent surgery", "SURGERY" in has),
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
        ("see_doctor", "a leg or foot changing colour", "COLOUR" in has and bool(has & _LEGS)),
        ("see_doctor", "a health condition", "CONDITION" in has),
        ("see_doctor", "not eating to lose weight", "STARVE" in has),
        ("leg_pain", "an injured leg", "INJURY" in has and bool(has & (_LEGS | _MOVING))),
        ("leg_pain", "leg pain", pain and "ALT" not in has and bool(has & (_LEGS | _MOVING))),
        ("leg_pain", "a knee or ankle that swells with exercise", swell and joint),
        ("see_doctor", "pain", "PAIN" in has and "ALT" not in has and not leg),
        ("see_doctor", "asks about a doctor",
         "DOCTOR" in has and (bool(has & (_LEGS | {"FAT"})) or not unknown)),
    ):
        if fires:
            return topic, reason
    return None


def _someone_else(toks: Sequence[Token], i: int) -> bool:
    """Someone other than the speaker is named within three words of ``toks[i]``."""
    clause = toks[i].clause
    return any(t.surface in _OTHERS and t.clause == clause for t in toks[max(0, i - 3):i + 4])


def _eating(toks: Sequence[Token]) -> frozenset[str]:
    """STARVE when "stopped eating" is not followed by a food ("stopped eating bread")."""
    for i, tok in enumerate(toks):
        if tok.term == "STOPEAT":
            after = toks[i + 1] if i + 1 < len(toks) and toks[i + 1].clause == tok.clause else None
            if after is None or not (after.term in _FOODS or after.term.islower()):
                return frozenset({"STARVE"})
    return frozenset()


def _near(terms: Sequence[str], a: str, b: str, distance: int = 1) -> bool:
    where_a = [i for i, t in enumerate(terms) if t == a]
    return any(abs(i - j) <= distance for i in where_a for j, t in enumerate(terms) if t == b)
