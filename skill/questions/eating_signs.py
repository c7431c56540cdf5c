"""Signs of an eating problem in a question, by class, for the safety layer.

Eating almost nothing (stopped eating, barely eating, days without food, one
small thing a day, a day's food under :data:`VERY_LOW_CALORIES`), making oneself sick or taking
laxatives to lose weight, an eating disorder named, bingeing that is made up
for, exercise as punishment, fear of eating, and meals skipped in distress or
to slim. Ordinary dieting is not a sign: cutting carbs, skipping breakfast,
counting calories, "I barely eat sugar", "burn it off at the gym". A sign said
in the negative ("I'm not starving myself") is none.

Reads the question's tokens (:mod:`skill.questions.normaliser`) and, for what
tokens drop (pronouns, "nothing", numbers), its words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from skill.questions.tokens import Token

#: A day's food below this many calories is eating almost nothing (very low
#: calorie diets are meant to be followed only with medical supervision).
VERY_LOW_CALORIES = 800
_EAT = frozenset({"eat", "eats", "eating", "ate", "eaten"})
_MEALS = frozenset({"meal", "meals", "breakfast", "breakfasts", "lunch", "lunches", "dinner",
                    "dinners", "supper", "food", "foods"})
_EATS = _EAT | _MEALS
_FOODS = frozenset({"DIET", "SUGAR", "SALT", "PROTEIN", "FAT"})
_RESTRICTING = frozenset({"barely", "hardly", "scarcely"})
_PURGING_PILLS = frozenset({"laxative", "laxatives", "diuretic", "diuretics"})
_SLIMMING = frozenset({"LOSE", "FAT", "BIG"})
_TRAINING = frozenset({"EXERCISE", "CARDIO", "STRENGTH", "SQUAT", "LUNGE", "BRIDGE", "SKIP"})
#: Words after "eat" that say how much, not what ("I barely eat anything").
_HOW_MUCH = frozenset({"anything", "much", "enough", "properly", "all", "at", "lot", "more",
                       "normally", "right", "well", "whole", "whatsoever"})
_CONTRACTIONS = ((r"won't", "will not"), (r"can't", "can not"), (r"n't", " not"), (r"'m", " am"),
                 (r"'re", " are"), (r"'ve", " have"), (r"'ll", " will"), (r"'d", " would"),
                 (r"'s", ""))
_NON_WORD = re.compile(r"[^a-z0-9' ]+")
_NEGATED = re.compile(r"\b(?:not|never|no)\s+(?:\w+\s+)?$")
_NOTHING = re.compile(r"\b(?:eat|eats|eating|ate|eaten)\s+(?:(?:almost|next to|practically"
                      r"|virtually|basically|literally)\s+)?nothing\b(?!\s+(?:but|else|except))"
                      r"|\bnothing to eat\b")
_DAYS_WITHOUT = re.compile(r"\b(?:days?|weeks?|all day|whole day)\s+(?:\w+\s+){0,2}?without\s+"
                           r"(?:eating|food|a meal|meals)\b")
_HOLD_BACK = re.compile(r"\b(?:not|never)\s+(?:let|allow)\s+(?:myself|herself|himself|themselves)"
                        r"\s+(?:to\s+)?eat")
_VOMIT = re.compile(r"\b(?:throw|throws|threw|throwing|thrown)\s+(?:\w+\s+)?up\b|\bvomit"
                    r"|\bpuk(?:e|ing)\b|\bbe(?:ing)? sick\b")
#: One small thing a day ("she only eats an apple a day"), not one meal.
_ONE_THING = re.compile(r"\bonly\s+(?:eat|eats|ate|eating)\s+(?:an?|one|a single|half an?)\s+"
                        r"(?!(?:proper |big |main |decent |large )?meal)\w+(?:\s+\w+)?\s+"
                        r"(?:a|per|each|every|all)\s+day\b")
_WATER_PILLS = re.compile(r"\bwater (?:pills|tablets)\b")
_AFRAID = re.compile(r"\b(?:scared|afraid|terrified|frightened)\s+(?:to eat|of eating|of food)\b")
_PUNISH = re.compile(r"\bpunish")
_MAKE_UP = re.compile(r"\b(?:make|makes|making|made)\s+up\s+for\b|\bcompensat"
                      r"|\b(?:burn|burns|burned|burnt|burning|work|works|worked|working)\s+"
                      r"(?:it|that|them|everything|it all|the food|the calories)"
                      r"\s+(?:all\s+)?off\b"
                      r"|\b(?:burn|burns|burned|burnt|burning|work|works|worked|working)\s+off\s+"
                      r"(?:everything|all|whatever|what|every|the food|the calories|anything)\b")
#: Hours of exercise to make up for a meal ("I run for two hours to burn it off").
_HOURS = re.compile(r"\bfor (?:hours|(?:an? )?(?:two|three|four|five|six|couple of|few) hours)\b")
_DISTRESS = re.compile(r"\bhat(?:e|es|ing)\s+(?:my|her|his|their)?\s*(?:self|myself|herself|himself"
                       r"|body|legs?|thighs?|calf|calves|hips|bum|shape)\b"
                       r"|\bguilt|\bdisgust|\bashamed\b|\bshame\b")
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_NUMBER_WORDS |= {w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
_CALORIES = re.compile(r"\b(?:k?cals?|kilocalories|calories)\b")
#: Every pattern a sign is said in ...
_SAID_IN = (_NOTHING, _DAYS_WITHOUT, _HOLD_BACK, _VOMIT, _ONE_THING, _WATER_PILLS, _AFRAID, _PUNISH,
            _MAKE_UP, _HOURS, _DISTRESS, _CALORIES)
#: ... as one: most questions say none of them, and one search tells so.
_ANY_SAID = re.compile("|".join(f"(?:{p.pattern})" for p in _SAID_IN))
_TAKING_IN = frozenset({"eat", "eats", "eating", "ate", "on", "having", "living", "only", "just",
                        "intake", "consume", "consuming", "under", "below"})
_NOT_A_DAY = frozenset({"deficit", "less", "fewer", "more", "extra", "surplus", "burn", "burned",
                        "burnt", "burning", "per", "in"})


def plain_words(text: str) -> str:
    """``text`` in lower case with contractions spelt out, one space between words."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    for short, long in _CONTRACTIONS:
        text = text.replace(short, long)
    return " ".join(_NON_WORD.sub(" ", text).split())


def eating_sign(meant: Sequence[Token], words: str) -> str | None:
    """Why the question shows a possible eating problem, or None. ``meant`` are
    the tokens that count (not negated), ``words`` the question's :func:`plain_words`."""
    if _ANY_SAID.search(words) is None:  # no sign is said in words: none is searched for alone
        words = ""
    terms = {t.term for t in meant}
    eats = any(t.surface in _EATS for t in meant)
    distress = _said(_DISTRESS, words)
    binge = any(t.surface.startswith(("binge", "binging")) for t in meant)
    for reason, fires in (
        ("names an eating disorder or purging", "STARVE" in terms),
        ("eating almost nothing", _restricting(meant) or _said(_NOTHING, words)
         or _said(_DAYS_WITHOUT, words) or _said(_HOLD_BACK, words) or _said(_ONE_THING, words)
         or _very_low(words)),
        ("being sick after eating", eats and _said(_VOMIT, words)),
        # (not for swelling: "water pills to get rid of puffy legs" is a medicine question)
        ("laxatives or water pills to get slimmer",
         (any(t.surface in _PURGING_PILLS for t in meant) or _said(_WATER_PILLS, words))
         and bool(terms & _SLIMMING) and "SWELL" not in terms),
        ("afraid to eat", _said(_AFRAID, words)),
        ("exercise as punishment", _said(_PUNISH, words) and (eats or bool(terms & _TRAINING))),
        ("bingeing, or making up for eating",
         (binge and (eats or distress or _said(_MAKE_UP, words)))
         or (eats and (distress or _said(_HOURS, words)) and _said(_MAKE_UP, words))),
        ("skipping meals in distress or to slim", _skips_meals(meant, distress, terms)),
    ):
        if fires:
            return reason
    return None


def _said(pattern: re.Pattern[str], words: str) -> bool:
    """``pattern`` occurs in ``words`` somewhere not right after "not", "never" or "no"."""
    if pattern.search(words) is None:  # the usual case: not said at all
        return False
    return any(not _NEGATED.search(words[:m.start()]) for m in pattern.finditer(words))


def _restricting(toks: Sequence[Token]) -> bool:
    """Stopped eating, or barely or hardly eating, unless a food follows ("stopped
    eating bread", "I barely eat sugar")."""
    for i, tok in enumerate(toks):
        if tok.term == "STOPEAT":
            return not _food_after(toks, i)
        if tok.surface in _EAT and any(t.surface in _RESTRICTING for t in toks[max(0, i - 2):i + 2]
                                       if t.clause == tok.clause):
            return not _food_after(toks, i)
    return False


def _food_after(toks: Sequence[Token], i: int) -> bool:
    after = [t for t in toks[i + 1:i + 3] if t.clause == toks[i].clause
             and t.surface not in _RESTRICTING]
    if not after:
        return False
    nxt = after[0]
    if nxt.surface in _EATS or nxt.surface in _HOW_MUCH or nxt.surface.endswith("ly"):
        return False
    return nxt.term in _FOODS or nxt.term.islower()


def _skips_meals(toks: Sequence[Token], distress: bool, terms: set[str]) -> bool:
    """Meals skipped in distress ("I hate my legs so I skip meals"), or more than
    one to slim ("I skip breakfast and lunch to slim my legs"); one breakfast is a diet."""
    meals = [t.surface for i, t in enumerate(toks) if t.surface in _MEALS
             and any(s.surface.startswith("skip") for s in toks[max(0, i - 3):i])]
    several = any(m.endswith("s") for m in meals) or len(set(meals)) >= 2
    return bool(meals) and (distress or (several and bool(terms & _SLIMMING)))


def _very_low(words: str) -> bool:
    """A day's food said in calories, below :data:`VERY_LOW_CALORIES`."""
    if _CALORIES.search(words) is None:
        return False
    said = words.split()
    for i, word in enumerate(said):
        if not _CALORIES.fullmatch(word) or set(said[i + 1:i + 3]) & _NOT_A_DAY:
            continue
        start = i
        while start > 0 and (said[start - 1] in _NUMBER_WORDS or said[start - 1].replace(",", "")
                             .isdigit() or said[start - 1] in ("hundred", "thousand", "and", "a")):
            start -= 1
        amount = _number(said[start:i])
        before = set(said[max(0, start - 4):start])
        if amount is not None and amount < VERY_LOW_CALORIES and before & _TAKING_IN \
                and not before & _NOT_A_DAY:
            return True
    return False


def _number(words: Sequence[str]) -> int | None:
    """ "five hundred and fifty", "400", "a thousand" as a number; None if none."""
    total = current = 0
    seen = False
    for word in words:
        if word.replace(",", "").isdigit():
            current += int(word.replace(",", ""))
        elif word in _NUMBER_WORDS:
            current += _NUMBER_WORDS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total, current = total + max(current, 1) * 1000, 0
        else:
            continue
        seen = True
    return total + current if seen else None
