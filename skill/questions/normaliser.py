"""How questions are normalised before matching: text in, :class:`Token` s out.

A :class:`Normaliser` turns text into tokens with the vocabulary
(:mod:`skill.questions.vocabulary`): lower case, contractions, numbers,
phrases, a light stemmer (:mod:`skill.questions.stemmer`), then concepts;
words no one knows are heard again by sound (:mod:`skill.questions.phonetic`).
Each token knows its clause (:mod:`skill.questions.clauses`: a long ramble
is split where its question starts) and whether a negation covers it ("no
lunges", "I'm not injured"); "just" or "only" becomes SPOT before a body
part ("thighs only") or ALONE before an activity ("just jog";
:mod:`skill.questions.only`); a word that means something else beside certain others takes that
sense ("step in a lunch"). Kept apart from the scoring in
:mod:`skill.questions.matcher`, which sees only tokens.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from skill.questions.clauses import clauses
from skill.questions.only import ACTIVITIES, just_and_only
from skill.questions.phonetic import (FUZZY_FROM, SoundIndex, heard_as_one, key, load_slips,
                                      looks_alike, slipped)
from skill.questions.stemmer import stem
from skill.questions.tokens import Token
from skill.questions.vocabulary import Vocabulary

#: How near (in meaningful words) the words that show a word's other sense must be.
SENSE_WINDOW = 2
#: Share of letters a sound-alike guess shares with its word to be trusted as evidence.
SURE_LETTERS = 0.8


#: Words that open a negation's scope, and words that close it (so do clause ends).
NEGATORS = frozenset({"not", "no", "never", "without", "nor", "hate", "nothing", "avoid", "except",
                      "excluding"})
#: Negators that set aside an exercise ("avoid squats", "except lunges") but not
#: a worry ("how do I avoid a clot" still asks about one).
_SETTING_ASIDE = frozenset({"avoid", "except", "excluding"})
SCOPE_ENDS = frozenset({"but", "and", "just", "only", "so", "because", "what", "how", "which", "instead",
                        "any", "anything", "can", "could", "should", "will", "would", "is", "are",
                        # a new question or a new subject: "I don't like running, do I need...",
                        # "my legs aren't swollen, they're just big"
                        "do", "does", "did", "why", "i", "you", "he", "she", "it", "we", "they",
                        "howoften", "howlong",
                        # time and contrast after the verb: "not slimming even after..."
                        "since", "even", "yet", "until", "though", "although",
                        # a cause or a condition after it: "I'd hate big calves from skipping"
                        "from", "if", "when"})
#: Scope ends that carry a negation on while nothing has been negated yet ("not on any
#: pills", "rather not do squats").
_CARRY_ON = frozenset({"any", "anything", "do", "does", "did", "can", "could", "should", "will",
                       "would", "is", "are"})
#: A negated verb of change ends the negation: in "not losing fat" the fat is not negated.
_SCOPE_VERBS = frozenset({"LOSE", "CHANGE"})
_CACHE_SIZE = 50_000  # words remembered as known or not (bounded: a server sees any text)
_HEARD = "~"  # marks a word heard again by sound, until it becomes a Token
#: Words that, first in a question, only address the listener ("honey, how do I...");
#: ones that never mean anything else are stopwords.
_VOCATIVES = frozenset({"honey", "pet", "hen", "chuck", "darling", "sweetie", "sweetheart"})
_ARTICLES = frozenset({"a", "an"})
_DETERMINERS = frozenset({"my", "me", "your", "yer", "her", "his", "our", "their", "the", "a", "an",
                          "this", "that", "some"})
_AFTER_HOW = frozenset({"long", "often", "come", "soon", "fast", "quickly", "many", "much", "big",
                        "wide"})
_CONTRACTIONS = (("won't", "will not"), ("can't", "can not"), ("n't", " not"), ("'re", " are"),
                 ("'m", " am"), ("'ll", " will"), ("'ve", " have"), ("'d", " would"), ("'s", ""))
_NON_WORD = re.compile(r"[^a-z0-9' ]+")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


class Normaliser:
    """Turns text into :class:`Token` s using a :class:`Vocabulary`."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        # Phrases by their words, and the lengths (in words, longest first) of
        # those starting with each word: a scan of the words finds the longest
        # phrase starting at each one (cheaper than one large regex).
        self._phrases = {tuple(p.split()): meant.split() for p, meant in vocabulary.phrases.items()}
        lengths: dict[str, set[int]] = {}
        for phrase in self._phrases:
            lengths.setdefault(phrase[0], set()).add(len(phrase))
        self._lengths = {first: sorted(n, reverse=True) for first, n in lengths.items()}
        # One word for another ("dae" for "do") comes first, so longer phrases
        # see the word meant ("daein it wrang": "doing it wrong").
        self._words = {p: vocabulary.phrases[p].split() for p in vocabulary.phrases
                       if " " not in p}
        self._stems: dict[str, str] = {}
        for word, concept in vocabulary.concepts.items():
            self._stems.setdefault(stem(word), concept)
        self._terms: dict[str, str] = {}  # each word's term, once found (bounded as _known_cache)
        self._known: frozenset[str] = frozenset()
        self._known_cache: dict[str, bool] = {}
        self._sounds = SoundIndex(())
        self._slips: Mapping[str, str] = {}
        self._slip_starts: frozenset[str] = frozenset()  # first words of slips of several words
        #: Words dropped from the start of a question (a carrier phrase's words).
        self.leading: frozenset[str] = frozenset()
        self._senses = {word: (meant, frozenset(map(self.term, context)))
                        for word, (meant, context) in vocabulary.senses.items()}

    def learn(self, words: frozenset[str]) -> None:
        """Words the topics use besides the vocabulary's: unknown words are heard
        again by sound against both (see :mod:`skill.questions.phonetic`)."""
        self._known = frozenset(words) | frozenset(map(stem, words))
        self._known_cache = {}
        concepts = self.vocabulary.concepts
        self._sounds = SoundIndex(w for w in concepts if concepts[w] in self.vocabulary.sounds)
        self._slips = load_slips()
        self._slip_starts = frozenset(h.split()[0] for h in self._slips if " " in h)

    def _is_known(self, word: str) -> bool:
        known = self._known_cache.get(word)
        if known is None:
            stemmed = stem(word)
            known = (word in self.vocabulary.concepts or stemmed in self._stems
                     or word in self._known or stemmed in self._known)
            if len(self._known_cache) < _CACHE_SIZE:
                self._known_cache[word] = known
        return known

    def _heard(self, words: list[str]) -> list[str]:
        """``words`` with unknown ones replaced by the known word they sound like,
        alone or run together with a neighbour ("sell you light" -> cellulite)."""
        if not self._known:
            return words
        out: list[str] = []
        stop = self.vocabulary.stopwords
        i = 0
        while i < len(words):
            word = words[i]
            # Real words heard for one of the coach's ("sell you light" for cellulite).
            several = heard_as_one(words, i, self._slips) if word in self._slip_starts else None
            if several and any(w not in stop and not self._is_known(w)
                               for w in words[i:i + several[1]]):
                out.append(_HEARD + several[0] + _HEARD + " ".join(words[i:i + several[1]]))
                i += several[1]
                continue
            if word in stop or self._is_known(word) or not word.isalpha():
                out.append(word)
                i += 1
                continue
            joined_before = out[-1] + word if out and out[-1] in stop else ""
            if (len(key(joined_before)) >= FUZZY_FROM
                    and (found := self._sounds.lookup(joined_before, joined=True))):
                out[-1] = _HEARD + found + _HEARD + joined_before
                i += 1
                continue
            joined = self._sounds.join(words, i)
            if joined is not None:
                out.append(_HEARD + joined[0] + _HEARD + "".join(words[i:i + joined[1]]))
                i += joined[1]
                continue
            # A real word that sounds like one of the coach's ("cars" for calves), as the
            # slips table has it, before a guess by sound alone; [senses] says when
            # "squash" is one.
            found = None if word in self._senses else slipped(
                word, words[i - 1] if i else "", words[i + 1] if i + 1 < len(words) else "",
                self._slips)
            found = found or self._sounds.lookup(word) or self._sounds.lookup(stem(word))
            out.append(_HEARD + found + _HEARD + word if found else word)
            i += 1
        return out

    def words(self, text: str, *, lead: bool = False) -> list[str]:
        text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
        text = _DIGITS.sub(lambda m: " one " if m.group() == "1" else " num ", text)
        for short, long in _CONTRACTIONS:
            text = text.replace(short, long)
        numbers, table = self.vocabulary.numbers, self._words
        plain = _NON_WORD.sub(" ", text).replace("'", "").split()
        words = [m for w in plain
                 for m in (table[w] if w in table else ("num",) if w in numbers
                           else (self._with_g(w) if w.endswith("in") else w,))]
        if lead and len(words) > 1 and words[0] in _VOCATIVES:  # "honey, how do I squat"
            words = words[1:]
        if (lead and len(words) > 2 and words[-1] in _VOCATIVES
                and words[-2] not in _DETERMINERS):  # "..., pet", not "... my pet"
            words = words[:-1]
        if lead:
            words = self._without_carrier(words)
        return self._replace_phrases(words)

    def _with_g(self, word: str) -> str:
        """A dropped g put back ("holdin'", "doin'") when that makes a known word."""
        if (len(word) >= 5 and word.endswith("in") and self._known
                and not self._is_known(word) and self._is_known(word + "g")):
            return word + "g"
        return word

    def _replace_phrases(self, words: list[str]) -> list[str]:
        out: list[str] = []
        i, phrases, lengths = 0, self._phrases, self._lengths
        while i < len(words):
            for n in lengths.get(words[i], ()):
                meant = phrases.get(tuple(words[i:i + n])) if i + n <= len(words) else None
                if meant is not None:
                    out.extend(meant)
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    def _without_carrier(self, words: list[str]) -> list[str]:
        """Drop the carrier words a question starts with; "long", "often"... left
        first get their "how" back, as heard whole or after "how {query}"."""
        start = 0
        while (start < len(words) and words[start] in self.leading
               and not self._says_more(words, start)
               # "a" before the question's first word may be part of it ("a strogen")
               and not (words[start] in _ARTICLES and start + 1 < len(words)
                        and words[start + 1] not in self.leading)):
            start += 1
        rest = words[start:]
        return ["how", *rest] if rest and rest[0] in _AFTER_HOW else rest

    def _says_more(self, words: list[str], start: int) -> bool:
        """A phrase starts at ``start`` with a word no carrier has ("do a lunch"):
        the carrier ends there, typed or heard."""
        return any(phrase in self._phrases and not self.leading.issuperset(phrase)
                   for phrase in (tuple(words[start:start + n])
                                  for n in self._lengths.get(words[start], ())
                                  if start + n <= len(words)))

    def sure(self, tok: Token) -> bool:
        """A word heard as it was said, or a sound-alike guess long and exact
        enough to trust, or spelt nearly the same ("shugar", "cremes"); never a
        real word only the slips table takes for another ("fridge")."""
        if tok.heard in self._slips and self._sounds.lookup(tok.heard) is None:
            return False
        return not tok.heard or (key(tok.heard) == key(tok.surface)
                                 and len(key(tok.heard)) >= FUZZY_FROM) or looks_alike(
            tok.heard, tok.surface, SURE_LETTERS)

    def term(self, word: str) -> str:
        term = self._terms.get(word)
        if term is None:
            term = self.vocabulary.concepts.get(word)
            if term is None:
                stemmed = stem(word)
                term = self._stems.get(stemmed, stemmed)
            if len(self._terms) < _CACHE_SIZE:
                self._terms[word] = term
        return term

    def tokens(self, text: str) -> list[Token]:
        """The meaningful words of ``text``, each with the term it counts as."""
        return self.clause_tokens(clauses(text))

    def clause_tokens(self, said: Sequence[str]) -> list[Token]:
        """The meaningful words of a question already split into its :func:`clauses`."""
        out: list[Token] = []
        stopwords = self.vocabulary.stopwords
        for number, clause in enumerate(said):
            negated = aside = False
            toks: list[Token] = []
            content = False  # a word with meaning said since the negation opened
            for word in self._heard(self.words(clause, lead=number == 0)):
                if word in NEGATORS:
                    negated, content, aside = True, False, word in _SETTING_ASIDE
                elif word in SCOPE_ENDS and (content or word not in _CARRY_ON):
                    negated = False
                elif word not in stopwords:
                    content = True
                if word in stopwords or word in NEGATORS:
                    continue
                word, _, heard = word.removeprefix(_HEARD).partition(_HEARD)
                term = self.term(word)
                toks.append(Token(word, term, negated and (not aside or term in ACTIVITIES),
                                  number, heard))
                if negated and toks[-1].term in _SCOPE_VERBS:
                    negated = False
            out.extend(just_and_only(toks))
        return self._in_sense(out) if self._senses else out

    def _in_sense(self, toks: list[Token]) -> list[Token]:
        """Words that mean something else beside certain others ("how far do I
        step in a lunch": a lunge; "a broken ankle", not "my scale is broken, ...
        my thighs") take that other meaning: the others within :data:`SENSE_WINDOW`
        meaningful words."""
        out = []
        for i, tok in enumerate(toks):
            sense = self._senses.get(tok.surface)
            if sense is not None and any(
                    t.term in sense[1] for t in toks[max(0, i - SENSE_WINDOW):i + SENSE_WINDOW + 1]):
                tok = Token(tok.surface, sense[0], tok.negated, tok.clause, tok.heard)
            out.append(tok)
        return out
