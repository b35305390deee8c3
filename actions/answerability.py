"""The answerability decision: does what the bot would quote say what the user asked?

Every reply that gives information from the article is decided here, whichever path it
comes by (a confident intent, an unsure one, a follow-up, a tip), so the rule that keeps
answers honest is in one place. Plain Python, no Rasa: the NLU model classifies, this
module decides.

1. Read the question (`read_question`): the concepts of the part that asks (a personal
   story before the question is skipped, but the subjects it names count), whether it
   is a yes/no question, and whether it leans on the conversation. A follow-up ("and the
   bones?", "is it permanent?") is completed from the previous question (`follow_up`).
2. Collect candidates: the entries the classifier ranks, the entries about the subjects
   the question names, and the sentences BM25 ranks highest.
3. A candidate *answers* when its subjects plus one of its sentences cover every concept
   the question asks about (a relation such as "cause" is covered by any relation the
   sentence states). Of the candidates that do, the best fit is the answer (`_fit`).
4. Otherwise, if the question names a subject or condition the article covers, the
   answer is *partial*: the reply names the user's words the article does not cover,
   then quotes what it says about that subject. Otherwise the bot *declines*.
5. The lead line (`lead_for`): an entry's verdict ("Yes.", "Possibly, but rarely.") only
   for a yes/no question, not negated, that names the entry's subject and one concept of
   each of its `verdict_for` groups, and that the entry's summary covers; the summary
   alone for other questions the summary covers; otherwise a neutral "Here is what the
   article says about …".

Two drugs the article covers in one question ("I'm on Fosamax and prednisone: which is
it?") get the general information on each and "only your doctor can tell"
(`ATTRIBUTION`), when the article covers what is asked for each of them.

Every decision carries its reason (`Decision.record`), kept in the tracker so that
partial answers and declines can be counted by reason.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from actions.concepts import Term, Vocabulary, words_of
from actions.knowledge import Entry, KnowledgeBase, Quote, Tip
from actions.retrieval import STOPWORDS, PassageIndex, stem, tokenize

ANSWER, PARTIAL, DECLINE = "answer", "partial", "decline"
VERDICT, SUMMARY, NEUTRAL = "verdict", "summary", "neutral"
# Reasons that are not about coverage, for the tracker and the report.
ATTRIBUTION = "attribution"
TIP = "tip"
NO_MORE_TIPS = "no_more_tips"
NO_MORE_TIPS_FOR = "no_more_tips_for"
NOTHING_ASKED = "nothing_asked"
OFF_TOPIC = "off_topic"
OTHER_LANGUAGE = "other_language"

# Concept kinds (data/knowledge/vocabulary.yml) and the roles they play in a question.
TOPIC_KINDS = ("subject",)
CONDITION_KINDS = ("condition",)
RELATION_KINDS = ("relation", "qualifier")
ASK_KINDS = ("ask", "population")
# "what is", "why", "explain": a question of its own that needs nothing from the article.
FRAME_KINDS = ("frame",)
# What asks for a figure: its sentence must say what the figure is for.
QUANTITY_ASKS = frozenset(
    "amount count duration frequency threshold timing statistics commonness".split()  # noqa: SIM905
)
# The parts of the body or conditions a question may ask about several of at once.
PART_KINDS = ("body", "condition")
# Any relation the article states covers any relation a question asks ("does it affect",
# "is it linked to", "does it help"); a verdict still needs the right one.
RELATION = "relation"
COMPARISON = "comparison"
# More than the classifier's whole confidence: an echoed sentence wins among full answers.
ECHO_FIT = 1.5
SAYS_ALL_FIT = 0.1
OTHER_SUBJECT_FIT = 0.2
COMMONNESS = "commonness"
PAIN = "pain"
_HURT = frozenset({"hurt", "hurts", "hurting"})
# What may follow a verb that has no object ("does it hurt at all?", "hurt much?").
_NO_OBJECT = frozenset("at all much a lot badly bad really".split())  # noqa: SIM905
STATISTICS = "statistics"
# A rate: "1 in 1000", "one in three", "5%", "ten percent".
_RATE = re.compile(
    r"\b(?:\d+|one|two|three|four|five|ten)\s+(?:in|out\s+of)\s+(?:\d[\d,]*|two|three|four|five|"
    r"ten|a\s+hundred|a\s+thousand)\b|\d+(?:\.\d+)?\s*(?:%|percent\b|per\s+cent\b)",
    re.IGNORECASE,
)
FREQUENCY = "frequency"
DEFINITION = "definition"
PROCEDURE = "procedure"
# Effects other than those named: no sentence names them as such.
OTHER_EFFECTS = "<other effects>"
EXCESS = "excess"
# States the article speaks of only when they are too much: chronic stress, chronic
# inflammation, resorption that outpaces formation. "Too much" of them is them.
_EXCESSIVE_STATES = frozenset({"stress", "inflammation", "remodeling"})
DEFINITION_ASPECT = "definition"
WHY = "why"
MECHANISM = "mechanism"
LINK = "link"
BONE, OSTEOPOROSIS, HAIR, HAIR_LOSS = "bone", "osteoporosis", "hair", "hair_loss"
# "The two": in this article, the two conditions.
BOTH_CONDITIONS = "both_conditions"
EXPLAINING_ASPECTS = (LINK, MECHANISM)
MEDICATION_ASPECT = "medication"
MEDICATION = "medication"
# Every tip is a lifestyle tip; a nutrition tip is also a tip about food.
LIFESTYLE = "lifestyle"
NUTRITION = "nutrition"
_TIP_FOCUS_ALSO = {"nutrition": ("food_source",)}
# "A tip that helps both": bones and hair.
_BOTH_PARTS = frozenset({"bone", "hair"})

# What a treatment is for, in the article's sentences ("used to slow bone breakdown",
# "prescribed for bone density loss"), up to the verb that says what it does.
_PURPOSE = frozenset(
    {("used", "to"), ("used", "in"), ("used", "for"), ("prescribed", "to"), ("prescribed", "for")}
)
_PURPOSE_END = frozenset("can could may might have has is are was were which".split())  # noqa: SIM905
# Relations that ask for an effect ("cause", "increase the risk"), and those that ask
# what something treats.
_EFFECTS = frozenset({"affect", "side_effect"})
_TREATING = frozenset({"treat", "prevent"})
# How a request for personal advice opens, and what it asks to do ("should I stop…").
_ADVICE_OPENINGS = (
    ("should", "i"),
    ("shall", "i"),
    ("can", "i"),
    ("could", "i"),
    ("do", "i", "need", "to"),
    ("do", "you", "think", "i", "should"),
    ("would", "you", "advise", "me", "to"),
    ("would", "you", "recommend", "that", "i"),
    ("would", "you", "recommend", "i"),
    ("do", "you", "recommend", "that", "i"),
    ("do", "you", "recommend", "i"),
    # "I should take more calcium or no?", "I must change my medicine or not?"
    ("i", "should"),
    ("i", "must"),
    ("must", "i"),
)
_ADVICE_VERBS = frozenset(
    {
        *"""start starting stop stopping skip skipping quit quitting take taking try
        trying switch switching continue continuing increase increasing decrease
        decreasing double doubling halve reduce lower raise change drop refuse ask
        keep begin beginning choose pick""".split(),  # noqa: SIM905
        ("go", "on"),
        ("come", "off"),
        ("get", "off"),
        ("stay", "on"),
        ("cut", "down"),
    }
)
# What "should I …" asks to do beside _ADVICE_VERBS (not "can I get calcium from milk?").
_SHOULD_I_GET = frozenset("get buy use".split())  # noqa: SIM905
_QUESTION_WORDS = frozenset(
    """what whats how why when where which who whom whose can could does do did is are
    was were will would should shall may might has have had am any tell explain describe
    define give list name isnt doesnt dont cant arent wont wouldnt couldnt shouldnt
    didnt hasnt havent""".split()  # noqa: SIM905
)
_YES_NO_WORDS = frozenset(
    """can could does do did is are was were will would should shall may might has have
    had am isnt doesnt dont cant arent wont wouldnt couldnt shouldnt didnt hasnt
    havent""".split()  # noqa: SIM905
)
# With "personally", what the user asks for themselves ("should I personally…").
_PERSONAL_NEED = frozenset("should need must take taking have".split())  # noqa: SIM905
_FILLERS = frozenset("so ok okay and but hi hey hello well also then um hmm oh ah quick".split())  # noqa: SIM905
_NEGATIONS = frozenset(
    """not no never nor without doesnt dont isnt arent cant wont wouldnt couldnt shouldnt
    didnt hasnt havent""".split()  # noqa: SIM905
)
# Words that keep the drug of the previous question beside a new one ("I'm also on
# Fosamax, which one is it?").
_WH_WORDS = frozenset("which what why how when where who whose".split())  # noqa: SIM905
_TOGETHER = frozenset("also both too either which".split())  # noqa: SIM905
_COMPARATIVES = frozenset(
    """more less better worse bigger smaller higher lower larger greater faster slower
    stronger weaker safer riskier cheaper likelier most least best worst kinder gentler
    harsher milder easier harder tougher""".split()  # noqa: SIM905
)
# A superlative that ranks a kind of thing for what a question names ("best habits for
# OP?"), comparing nothing it names without "or", "than" or "which".
_SUPERLATIVES = frozenset("best worst".split())  # noqa: SIM905
# Comparatives that compare on their own ("is there a steroid that's gentler on bones?"),
# unlike those of an effect ("does exercise make bones stronger?").
_RANKING = frozenset("safer gentler kinder harsher milder riskier cheaper".split())  # noqa: SIM905
_OR = frozenset({"or", "vs", "versus"})
# Words before a thing that a story mentions in passing ("following breast cancer").
_IN_PASSING = frozenset(
    "following during before since from about like for with in at after".split()  # noqa: SIM905
)
# What a thing is for, not the thing a story names ("rosemary oil for her hair").
_PURPOSE_WORDS = frozenset({"for", "against"})
# Before a thing a story only mentions ("walk my dog", "in the basement").
_DETERMINERS = frozenset(
    "my your his her their our its the a an this that these those some any".split()  # noqa: SIM905
)
# "Other / further side effects": more of them than the article names.
_FURTHER = frozenset("other additional further more".split())  # noqa: SIM905
SIDE_EFFECT = "side_effect"
# "Anything besides hair loss": the words that open what a question sets aside.
_SOMETHING = frozenset("anything something everything stuff".split())  # noqa: SIM905
# "Which of those…", "which one…": a choice among what was just named.
_CHOSEN_BACK = frozenset("those these them one ones three two".split())  # noqa: SIM905
# How an alternative said as a clause opens ("… or is it just …", "… or something else").
_IDLE_OPENINGS = frozenset(
    """is isnt are am does do did was has can could will would its it just only simply
    merely something sth smth anything not what maybe perhaps""".split()  # noqa: SIM905
)
_BESIDES = frozenset(
    {"besides", "except", "excluding", ("apart", "from"), ("aside", "from"), ("other", "than")}
)
# What a story rules out or takes as given ("I can't have HRT because of a clot, so what
# helps bones?", "if I have to stay on the steroids, what else can I do?"); in
# the part that asks, "I can't take pills" is a constraint the answer must bear on.
_RULED_OUT = _BESIDES | {
    ("stay", "on"),
    ("staying", "on"),
    ("cant", "afford"),
    ("cant", "have"),
    ("cant", "take"),
    ("cannot", "have"),
    ("cannot", "take"),
    ("cant", "use"),
}
# A question that only asks whether what came before is so ("…, is that true?").
_TAG_WORDS = frozenset(
    """is isnt that it this true right correct or nonsense myth a rubbish am i really so
    just actually normal legit thing known real fact""".split()  # noqa: SIM905
)
# "What's the difference between osteoclasts and osteoblasts?": a sentence that names
# both answers it, unless it asks how they differ in an effect (… in hair loss?).
_DIFFERENCE = frozenset({"difference", "differences", "different", "differ", "diffrence"})
# Groups of people the article's figures and advice for adults may not hold for: said
# anywhere in a message ("I'm pregnant. How much calcium do I need?"), the answer must
# cover them.
_SPECIAL_GROUPS = frozenset({"pregnancy", "children"})
_PEOPLE = frozenset(
    "people person women woman men man kids children child teens teenagers patients".split()  # noqa: SIM905
)


def _about_asker(term: Term) -> bool:
    """A group of `_SPECIAL_GROUPS` the story puts the asker (or whom they ask for) in:
    a pregnancy, or a child's age ("I'm 15", "my 12-year-old"); not children only
    mentioned ("my kids tease me", "30 teenagers")."""
    if term.concept == "children":
        return any(c.isdigit() for c in term.text)
    return term.concept in _SPECIAL_GROUPS


# The reason's suffix for a follow-up answered as a question of its own.
NEW_SUBJECT = ":new_subject"
# The reason for the article's matching content given for a limit the user states.
STATED_LIMIT = "stated_limit"
_LIMITS = frozenset("cant cannot unable hate avoid allergic intolerant wont".split())  # noqa: SIM905
_GIVING_UP = frozenset("stop stopping quit quitting reduce reducing".split())  # noqa: SIM905
_LIMIT_PAIRS = frozenset(
    {("is", "out"), ("s", "out"), ("are", "out"), ("dont", "like"), ("can", "not")}
)
FAR = 10_000  # after every word of a message
# Kinds of food and supplement: two of them can be compared ("cow's milk or oat milk").
_SOURCES = frozenset({"food_source", "plant_source", "non_dairy", "supplement"})
# Where a nutrient comes from, sunlight included: a follow-up naming one ("I can't get
# out in the sun") replaces the one named before ("I can't eat dairy").
_WHERE_FROM = _SOURCES | {"sunlight"}
_IS_ARE = frozenset("is are was were".split())  # noqa: SIM905
_GIVEN = frozenset("given delivered".split())  # noqa: SIM905
# "What's it called?", "the proper name for it", "the medical term".
_NAMING = frozenset("called call name term".split())  # noqa: SIM905
_CONTRAST_WORDS = [["vs"], ["versus"], ["compared"]]
_DEMONSTRATIVES = frozenset("that this these those".split())  # noqa: SIM905
_SORT_OF = [[kind, "of"] for kind in ("kind", "kinds", "type", "types", "sort", "sorts")]
_DETERMINERS = frozenset("a an the my your their his her".split())  # noqa: SIM905
_ELSE = frozenset("else other another besides apart".split())  # noqa: SIM905
_TAKING = frozenset("take takes taking took on prescribed given using use".split())  # noqa: SIM905
_REQUESTS = frozenset(
    "explain tell describe list give say clarify outline summarise summarize know help".split()  # noqa: SIM905
)
# Whose the reason for a drug is ("for my asthma", "for the change").
# Relations said from the effect's side: "hair loss due to osteoporosis".
_BACKWARD = frozenset(
    {
        ("due", "to"),
        ("because", "of"),
        ("result", "of"),
        ("linked", "to"),
        ("connected", "to"),
        ("tied", "to"),
        ("associated", "with"),
        ("related", "to"),
    }
)
_OWNERS = frozenset("my her his your their the".split())  # noqa: SIM905
_PRONOUNS = frozenset("it that this they these those".split())  # noqa: SIM905
_PLURAL = frozenset("they them these those both each either".split())  # noqa: SIM905
# "How many grams of it…?", "is hair loss common with that one?": what the question asks
# about is the thing talked of before, named as the object of a preposition.
_BACK_OBJECT = re.compile(
    r"\b(?:of|with|from|on|by)\s+(?:it|them|(?:that|this)(?:\s+one)?|these ones|those ones)\b"
    r"(?!\s+(?:is|are|was|were|has|have|had|i|you|we|can|could|would|will|might|may)\b)"
)
# "Is it true that…", "is it safe to…": "it" stands for what follows, not for the topic
# of the previous question.
_PLACEHOLDER_FOLLOWERS = frozenset(
    """true possible normal likely unlikely common rare ok okay safe unsafe bad good worth
    better best important necessary wise advisable hard easy harmful dangerous risky fine
    right wrong a an the just really""".split()  # noqa: SIM905
)
# "We're both in our 60s." starts with "were" once its apostrophe is dropped.
_CONTRACTION = re.compile(r"(?:we|you|they)['’]re\b", re.IGNORECASE)
# Yes/no questions that ask their "X or Y" of either.
_OF_EITHER = frozenset("can could does do did is are was were will may might has have".split())  # noqa: SIM905
_BRACKETS = re.compile(r"\s*\([^()]*\)")
# Old age, among whom the article says the two are commonly seen together.
_OLD_AGE = frozenset("older elderly aging ageing seniors pensioners retirees".split())  # noqa: SIM905
_AN_AGE = re.compile(r"\b([1-9]\d)\b")
OLD_AGE_FROM = 50
# What asks what something means ("what does that mean?", "what did she mean?").
_MEANING = frozenset("mean means meant meaning".split())  # noqa: SIM905
# A word or phrase the user quotes ("my pharmacist said it might be 'iatrogenic'"); not an
# apostrophe inside a word ("I'm").
_QUOTED = re.compile(r"(?<!\w)['\"“‘]([^'\"“”‘’]{2,60}?)['\"”’](?!\w)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_EMBEDDED = re.compile(r"\b(?:whether|if|why|how|what|which|who|when|where)\b", re.IGNORECASE)
_ASIDE = re.compile(
    r"[,;]?\s+(?:so (?:that )?(?:i|she|he|we|they) can|since (?:i|she|he|we|they)[’']?(?:m|s|re)"
    r"|since (?:i am|she is|he is|we are|they are))\b.*$",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"\s*(?:[,;:]|\s-\s|—|–)\s*")


@dataclass(frozen=True)
class Question:
    """What a message asks, as concepts."""

    text: str
    # What the asking part mentions: one sentence of an answer must cover all of it.
    terms: tuple[Term, ...]
    # What the rest of the message names ("I'm on prednisone. Is it normal to shed this
    # much?"): the answer's entry as a whole must cover it.
    context: tuple[Term, ...] = ()
    yes_no: bool = False
    negated: bool = False
    # It points back ("is it…", "and the bones?") or names no subject of its own.
    refers_back: bool = False
    # Words that keep two drugs together ("also", "which one").
    together: bool = False
    # Its subject is a pronoun ("does it cause hair loss?"): the previous topic.
    pronoun: bool = False
    # It names something with "that" or "this" ("what's that kind of hair loss
    # called?", "those drugs"): the one the last answer spoke of.
    demonstrative: bool = False
    # It names two things joined by "or" ("dairy or spinach", "oral or IV").
    alternatives: bool = False
    # What it sets aside ("anything else apart from exercise?"): not asked about, and no
    # tip about it.
    excluded: tuple[str, ...] = ()
    # It asks for another of what it names ("other medicines?"; not "what else counts?").
    other: bool = False
    # The words of the asking part, which the terms were read from: their positions
    # index into these (not those of the compared things a story names).
    words: tuple[str, ...] = ()

    @property
    def concepts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.concept for t in self.context + self.terms))

    def record(self, without: Iterable[str] = ()) -> dict[str, Any]:
        """What a follow-up needs of this question (kept in the tracker); `without` the
        concepts the article did not cover, which the user has been told about, and the
        words that only framed it ("a grown adult"), which a follow-up must not ask."""
        dropped = set(without)
        asked = dict.fromkeys(t.concept for t in self.context + self.terms if t.asks)
        kept = [c for c in asked if c not in dropped]
        said = {t.concept: t.text for t in self.context + self.terms}
        return {
            "concepts": kept,
            "words": {c: said[c] for c in kept if c in said},
            "yes_no": self.yes_no,
        }


@dataclass(frozen=True)
class Decision:
    outcome: str
    reason: str
    entry: Entry | None = None
    quotes: tuple[Quote, ...] = ()
    lead: str = NEUTRAL
    # The concepts the article does not cover, and the user's words for them.
    missing: tuple[str, ...] = ()
    uncovered: tuple[str, ...] = ()
    # Further entries answered alongside `entry` (attribution between two drugs).
    also: tuple[Entry, ...] = ()
    tip: Tip | None = None

    def record(self) -> dict[str, Any]:
        """The decision as it is kept in the tracker."""
        return {
            "outcome": self.outcome,
            "reason": self.reason,
            "entry": self.entry.id if self.entry else None,
            "uncovered": list(self.uncovered),
        }


@dataclass(frozen=True)
class _Candidate:
    entry: Entry | None
    sentences: tuple[Quote, ...]
    source: str


@dataclass(frozen=True)
class _Cover:
    candidate: _Candidate
    sentence: Quote | None
    missing: frozenset[str]
    # How much of the question the sentence says itself, and how many of its words it
    # uses (to choose between sentences, and entries, that cover the question equally).
    overlap: float = 0.0
    # What is missing is named only as what a treatment is for: the effect asked of it is
    # what the article does not say ("cause inflammation", not "inflammation").
    purpose: bool = False


# ---- Reading the question ------------------------------------------------------------


def _kind(vocabulary: Vocabulary, concept: str) -> str:
    return vocabulary.kind(concept)


def _first_word(words: Sequence[str]) -> str:
    return next((w for w in words if w not in _FILLERS), "")


def _asking_sentences(text: str) -> list[str]:
    """The sentences of a message that ask. If none looks like a question, the ones with
    a question inside ("I'm curious why my hair…" → "why my hair…"), else all of them."""
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s.strip()]
    asking = [
        s
        for s in sentences
        if s.rstrip().endswith("?")
        or (_first_word(words_of(s)) in _QUESTION_WORDS and not _CONTRACTION.match(s.strip()))
    ]
    if asking:
        return asking
    embedded = [q for q in (_embedded_question(s) for s in sentences) if q]
    return embedded or sentences


def _embedded_question(sentence: str) -> str:
    """The question inside a statement, from its question word on ("I wonder whether the
    sun is enough" → "whether the sun is enough"); "" if there is none, or if the
    question word ends it ("menopause hair thinning why": all of it asks)."""
    match = _EMBEDDED.search(sentence)
    if not match or match.start() == 0 or len(words_of(sentence[match.start() :])) < 2:
        return ""
    return sentence[match.start() :]


def _without_story(sentence: str) -> str:
    """A sentence from its question clause on ("I've been on prednisone for a year,
    could that thin my hair?" → "could that thin my hair?"); all of it when it starts
    with one."""
    clauses = _CLAUSE_BREAK.split(sentence)
    if _first_word(words_of(clauses[0])) in _QUESTION_WORDS:
        return sentence  # "what about vitamin D, how much of that?": all of it asks
    start = next(
        (
            i
            for i, clause in enumerate(clauses)
            if i > 0 and _first_word(words_of(clause)) in _QUESTION_WORDS
        ),
        0,
    )
    return ", ".join(clauses[start:])


def _without_idle_alternative(
    vocabulary: Vocabulary, terms: list[Term], words: Sequence[str]
) -> list[Term]:
    """The terms, without the words of an alternative that names nothing the article is
    about, said as a clause ("is protein important for bones, or is it just a muscle
    thing?", "…, or am I thinking of something else?", "is it really lost, or does it
    just get rearranged?"): the question is whether the first part holds. Not a second
    thing asked ("does Fosamax cause hair loss or jaw problems?"), which must be covered."""
    topical = {*TOPIC_KINDS, *CONDITION_KINDS, *PART_KINDS}
    for i, word in enumerate(words):
        clause = word == "or" and words[i + 1 : i + 2] and words[i + 1] in _IDLE_OPENINGS
        rather = word == "rather" and words[i + 1 : i + 2] == ["than"]
        if not (clause or rather):
            continue
        before = [t for t in terms if t.position < i]
        after = [t for t in terms if t.position > i]
        if not any(_kind(vocabulary, t.concept) in topical for t in before) or any(
            _kind(vocabulary, t.concept) in topical for t in after
        ):
            continue
        idle = {t.position for t in after if not _kind(vocabulary, t.concept)}
        return [t for t in terms if t.position not in idle]
    return terms


def _set_aside(text: str, markers: frozenset[Any]) -> set[int]:
    """The positions of the words `text` may set aside: from one of `markers` ("apart
    from", "besides", "other than", "can't have"…) to the end of its clause ("what else
    helps bones apart from vit D and calcium?", "apart from exercise, what can I do?", "I
    can't have HRT because of a clot"); the subjects among them are."""
    positions: set[int] = set()
    start = 0
    clauses = (c for s in _SENTENCE_END.split(text) for c in _CLAUSE_BREAK.split(s))
    for clause in clauses:
        words = words_of(clause)
        for i in range(len(words)):
            if words[i] == "aside" and i == len(words) - 1 and markers >= _BESIDES:
                # "TE aside, what does telogen mean?": what comes before it.
                positions |= set(range(start, start + i))
                break
            if words[i] in markers or tuple(words[i : i + 2]) in markers:
                positions |= set(range(start + i, start + len(words)))
                break
        start += len(words)
    return positions


def _clauses(text: str) -> list[tuple[int, str]]:
    """The clauses of `text`, in order, each with the number of its sentence."""
    return [
        (n, clause)
        for n, sentence in enumerate(_SENTENCE_END.split(text.strip()))
        for clause in _CLAUSE_BREAK.split(sentence)
        if clause.strip()
    ]


def _clause_before(text: str, asked: str) -> str:
    """The clause just before the part that asks, `asked`, in its sentence ("I have PCOS
    - is that why my hair is thinning?" → "I have PCOS"); "" if it has none."""
    opening = words_of(asked)[:3]
    clauses = _clauses(text)
    for (before, previous), (n, clause) in itertools.pairwise(clauses):
        if before == n and words_of(clause)[:3] == opening:
            return previous
    return ""


def _of_either(words: Sequence[str]) -> bool:
    """Whether a yes/no question asks its "X or Y" of either ("can tamoxifen or AIs thin
    hair?"), not which to choose ("should I take almond or soy milk?")."""
    return _first_word(words) in _OF_EITHER


def _without_brackets(text: str) -> str:
    """`text` without what it says in brackets, unless that is all it says."""
    left = _BRACKETS.sub("", text)
    return left if words_of(left) else text


def _clauses_before(text: str, asked: str) -> list[str]:
    """The clauses of `text` before the part that asks, `asked`, in order ("My friend
    swears by rosemary oil", "I'm tempted to try it myself" before "Does it work?")."""
    opening = words_of(asked)[:3]
    clauses = [clause for _, clause in _clauses(text) if words_of(clause)]
    starts = [i for i, c in enumerate(clauses) if i and words_of(c)[:3] == opening]
    return clauses[: starts[-1]] if starts else []


def _read_last_clause_before(vocabulary: Vocabulary, text: str, asked: str) -> list[Term]:
    """What the clause just before the part that asks says, in any sentence before it
    ("The Paget disease of the bone" before "what is it?")."""
    return vocabulary.read((_clauses_before(text, asked) or [""])[-1])


def _claim(text: str) -> str:
    """What a tag question ("is that true?", "right?") asks about: the last sentence
    before it that says something ("I'm 49. A friend said the hormone shift can set off
    female pattern thinning. Is that right?" → the friend's claim); the story before the
    claim stays context."""
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s.strip()]
    claims = [s for s in sentences if not set(words_of(s)) <= _TAG_WORDS]
    return claims[-1] if claims else text


def asking_part(text: str) -> str:
    """The part of a message that asks, without a story before it or a purpose or reason
    after it ("…, so she can ask about stopping it", "…, since she's too tired to read")."""
    return " ".join(_without_story(_without_aside(s)) for s in _asking_sentences(text))


_NAMED_BACK = re.compile(
    r"(?:(?:so|and|ok|okay|right)\W+)?(?:what|which)\s+(?:are|were|r)\s+"
    r"(?:all\s+)?(?:those|these)\s+(\w+(?:\s+\w+)?)\W*",
    re.IGNORECASE,
)


_ORDINAL_REFERENCE = re.compile(
    r"\bthe\s+(first|1st|second|2nd|third|3rd|last|final|former|latter)"
    r"(?:\s+(?:ones?|kinds?|lot|types?|phases?|stages?|cells?|groups?|drugs?)\b|(?=\s*[?.!,]|\s*$))",
    re.IGNORECASE,
)
_ORDINAL_INDEX = {
    "first": 0, "1st": 0, "former": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2,
    "last": -1, "final": -1, "latter": -1,
}  # fmt: skip
_NAMED_IN_BRACKETS = re.compile(r"\(([A-Za-z][A-Za-z-]+)\)")


def with_ordinals_named(
    text: str, earlier: Callable[[], Sequence[str]], shown: Sequence[str], vocabulary: Vocabulary
) -> str:
    """The message with "the first one", "the last one", "the second one" replaced by
    what they point at: the things the last answer's sentences name in brackets, in
    order ("the growth phase (anagen), a transitional phase (catagen), and a resting
    phase (telogen)"), if they name two or more; else the subjects (not general words
    such as "the drug") in the order the `earlier` messages (oldest first; read only
    when needed) brought them up ("can steroids cause hair loss?", "I'm on HRT too": the
    second one is HRT); else the subjects and conditions of the latest earlier message
    that names two or more.
    "The resting one" is what the last answer names in brackets right after that word.
    Unchanged when there is nothing to point at."""
    text = _described_named(text, shown)
    if not _ORDINAL_REFERENCE.search(text):
        return text
    named = list(dict.fromkeys(_NAMED_IN_BRACKETS.findall(" ".join(shown))))
    messages = earlier() if len(named) < 2 else []
    if len(named) < 2:
        # The subjects (drugs, nutrients…) in the order the conversation brought them
        # up: "can steroids cause hair loss?", "I'm on HRT too": the second one is HRT.
        said = [t for message in messages for t in vocabulary.read(message)]
        subjects = [
            t
            for t in said
            if _kind(vocabulary, t.concept) in TOPIC_KINDS and not vocabulary.is_generic(t.concept)
        ]
        named = list({t.concept: t.text for t in reversed(subjects)}.values())[::-1]
    for message in reversed(messages):
        if len(named) >= 2:
            break
        subjects = [
            t
            for t in vocabulary.read(message)
            if _kind(vocabulary, t.concept) in TOPIC_KINDS + CONDITION_KINDS
        ]
        named = list({t.concept: t.text for t in subjects}.values())
    if len(named) < 2:
        return text

    def named_by(match: re.Match[str]) -> str:
        at = _ORDINAL_INDEX[match.group(1).lower()]
        return named[at] if at < len(named) else match.group(0)

    return _ORDINAL_REFERENCE.sub(named_by, text)


_DESCRIBED_ONE = re.compile(r"\bthe\s+(?:[a-z]+-)?([a-z]+)\s+(?:ones?|kind|lot)\b", re.IGNORECASE)


def _described_named(text: str, shown: Sequence[str]) -> str:
    """The message with "the resting one", "the bone-forming ones" replaced by what the
    last answer names in brackets right after that word ("a resting phase (telogen)")."""

    def named(match: re.Match[str]) -> str:
        said = stem(match.group(1).lower())
        for quote in shown:
            for bracket in _NAMED_IN_BRACKETS.finditer(quote):
                before = words_of(quote[: bracket.start()])[-3:]
                if said in {stem(w) for w in before}:
                    return bracket.group(1)
        return match.group(0)

    return _DESCRIBED_ONE.sub(named, text)


def asks_what_was_named(text: str, shown: Iterable[str]) -> bool:
    """Whether the message asks what the last answer's sentences only named ("what are
    those factors?" after "…the presence of shared systemic factors…"): the rest of that
    answer's entry says what they are. Only with "those" or "these": "what are the
    phases?" may ask again what the last answer listed."""
    match = _NAMED_BACK.fullmatch(text.strip())
    if match is None:
        return False
    named = set(tokenize(match.group(1)))
    return bool(named) and named <= set(tokenize(" ".join(shown)))


def asks_for_advice(text: str) -> bool:
    """Whether a message asks what the user should do about their own treatment ("should
    I stop my prednisone?", "can I skip my pill for a few weeks?", "do I need to take
    vitamin D?") or whether they have a condition ("based on my symptoms, do I have
    osteoporosis?"): personal advice, which the assistant never gives. Not a question
    about the general figure ("how much vitamin D should I take?")."""
    for clause in _CLAUSE_BREAK.split(asking_part(text)):
        words = [w for w in words_of(clause) if w not in _FILLERS and w != "or"]
        if "personally" in words and _PERSONAL_NEED & set(words) and {"i", "me"} & set(words):
            # "What dose should I personally be taking?", "Do I personally need it?"
            return True
        if tuple(words[:3]) in (("do", "i", "have"), ("have", "i", "got")):
            if words[3:4] != ["to"]:
                return True
            continue  # "do I have to take it with food?": a clause after it may ask
        opening = next((o for o in _ADVICE_OPENINGS if tuple(words[: len(o)]) == o), None)
        if opening is None:
            continue
        rest = [w for w in words[len(opening) :] if w not in ("be", "just", "really")]
        if any(w in _ADVICE_VERBS for w in (*rest[:1], tuple(rest[:2]))):
            return True
        if opening[0] in ("should", "shall") and rest[:1] and rest[0] in _SHOULD_I_GET:
            return True  # "should I get calcium or vitamin D?"; not "can I get calcium from…"
    return False


# What a piece of advice does: it helps, or treats or prevents something.
_GOOD_FOR = frozenset({"benefit"}) | _TREATING


def asks_for_other_advice(question: Question, vocabulary: Vocabulary) -> bool:
    """Whether a message asks for other advice, for bones or hair or besides something,
    and names no subject ("what else supports hair?", "what other things help both?",
    "what else can I do besides exercise?"): the next tip, not the answer just given
    again. Not other causes ("what else causes hair loss?"), nor more of a subject ("what
    else does iron do?")."""
    # "Both" is bone and hair, where it is the only word for its concept.
    both = {t.concept for t in question.terms if t.text == "both"} - {
        t.concept for t in question.terms if t.text != "both"
    }
    words = set(question.words)
    other = question.other or bool(both and _ELSE & words and not _PRONOUNS & words)
    if not other or (set(question.concepts) <= {LIFESTYLE} and not question.excluded):
        # "What else can I do?" alone: the article's whole approach, unless tips were
        # being given (answering.py).
        return False
    return all(
        c in (LIFESTYLE, *both, *_GOOD_FOR) or _kind(vocabulary, c) == "body"
        for c in question.concepts
    )


def _without_aside(sentence: str) -> str:
    """A question without the purpose or reason after it; a sentence whose question comes
    after the "since" clause keeps it ("my hair has thinned since I'm on prednisone, is
    that normal?")."""
    asked = _ASIDE.sub("", sentence)
    asks = _first_word(words_of(asked)) in _QUESTION_WORDS or _EMBEDDED.match(asked.strip())
    return asked if asks else sentence


def read_question(text: str, vocabulary: Vocabulary) -> Question:
    """What `text` asks: the concepts of its question clauses, and as context the
    subjects, conditions and parts of the body named in the rest of it (a story before
    the question, "TE hair loss - what is it?"). What it says in brackets, an aside on
    what comes before ("alopecia (AGA, TE etc.)", "AIs (anti-E drugs)"), is left out."""
    text = _without_brackets(text)
    asked = asking_part(text)
    if set(words_of(asked)) <= _TAG_WORDS:
        asked = _claim(text)  # "My sister said stress thins hair. Is that true?"
    elif words_of(asked)[:1] == ["which"] and all(
        t.concept == COMPARISON or _kind(vocabulary, t.concept) in FRAME_KINDS
        for t in vocabulary.read(asked)
    ):
        # "vitamin D2 or D3 - which one should I get?", "… - which is better?": a choice
        # between what the clause before names ("X vs Y - which one thins hair?" asks
        # something of its own).
        asked = f"{_clause_before(text, asked)} {asked}"
    words = words_of(asked)
    terms = _without_reasons(vocabulary, vocabulary.read(asked), words)
    terms = _without_idle_alternative(vocabulary, terms, words)
    if words[:1] == ["how"] and words[1:2] and words[1] in _IS_ARE and words[-1] in _GIVEN:
        # "How is zoledronic acid given?": how a drug is given, which the article never
        # says ("given" alone only frames: "given my age, …").
        terms.append(Term(PROCEDURE, words[-1], len(words) - 1))
    besides = _set_aside(asked, _BESIDES)
    # "Anything else besides food?": a kind of source is set aside like a subject.
    # So is a thing the vocabulary does not know ("anything besides muscle?").
    set_aside = {
        t.position
        for t in terms
        if t.position in besides
        and (
            _kind(vocabulary, t.concept) in TOPIC_KINDS
            or t.concept in _SOURCES
            or (not _kind(vocabulary, t.concept) and t.asks)
        )
    }
    excluded = tuple(dict.fromkeys(t.concept for t in terms if t.position in set_aside))
    terms = [t for t in terms if t.position not in set_aside]
    terms = _other_effects(vocabulary, terms, besides, words)
    terms = _other_side_effects(vocabulary, terms, words)
    terms = _one_and_the_other(vocabulary, terms, words)
    terms = _how_often_it_happens(vocabulary, terms, words)
    terms = _with_a_rate(terms, asked, words)
    terms = _hurting(terms, words)
    terms = _hedged(vocabulary, terms, words)
    terms = _without_excess_of_a_state(vocabulary, terms)
    terms = _without_either_or_of_one_kind(vocabulary, terms)
    terms = _quoted_defined(vocabulary, terms, text, words)
    every = words_of(text)
    alternatives = _alternatives(every)
    # A comparative inside the name of a thing ("faster than" in bone remodeling, the
    # article's "outpace") is that thing, not a comparison of its own; not in a kind of
    # question ("more likely": how common).
    things = [t for t in terms if _kind(vocabulary, t.concept) in TOPIC_KINDS + CONDITION_KINDS]
    phrased = {t.position + k for t in things for k in range(len(words_of(t.text)))}
    comparative = next(
        (w for i, w in enumerate(words) if w in _COMPARATIVES and i not in phrased), ""
    )
    than = any(
        w == "than" and words[i - 1 : i] != ["other"] and i not in phrased
        for i, w in enumerate(words)
    )
    compares = (alternatives and comparative) or than or comparative in _RANKING
    if compares and all(t.concept != COMPARISON for t in terms):
        # "is alendronate or risedronate more likely to…", "HRT or tamoxifen: which
        # thins hair more?", "bigger than": a comparison.
        terms.append(Term(COMPARISON, comparative or "than", len(words)))
    # "Which of those matters most?", "which one is worse?": a choice among what was just
    # named, by degree; the article ranks none of its lists.
    everything = vocabulary.read(text)  # the whole message, story included
    ranks_back = (
        words[:1] == ["which"]
        and bool(_CHOSEN_BACK & set(words))
        and any(w in _COMPARATIVES for w in words)
        and not any(
            _kind(vocabulary, t.concept) in TOPIC_KINDS + CONDITION_KINDS for t in everything
        )
    )
    if ranks_back and all(t.concept != COMPARISON for t in terms):
        terms.append(Term(COMPARISON, " ".join(words), 0))  # "which of those matters most"
    if not (comparative or than):  # "alendronate vs Fosamax, which is more likely…": one
        terms = _without_contrast_named(vocabulary, terms)
    compared_kinds = {
        _kind(vocabulary, t.concept)
        for t in terms
        if t.concept != COMPARISON and _kind(vocabulary, t.concept) not in FRAME_KINDS
    }
    if (
        _DIFFERENCE & set(words)
        and len(compared_kinds) == 1
        and compared_kinds <= {*TOPIC_KINDS, *CONDITION_KINDS}
    ):
        terms = [t for t in terms if t.concept != COMPARISON]
    if alternatives and COMPARISON not in {t.concept for t in terms} and not _of_either(words):
        # "almond milk or soy milk for calcium?": a choice between two things the article
        # names only as one kind (fortified plant milks) asks what it cannot tell apart.
        # (Not "can tamoxifen or AIs disrupt hair growth?", asked of either.)
        for first, second in itertools.pairwise(terms):
            between = words[first.position + 1 : second.position]
            if (
                first.concept == second.concept
                and (first.concept in _SOURCES or _kind(vocabulary, first.concept) in TOPIC_KINDS)
                and _OR & set(between)
                and not _NEGATIONS & set(words)
            ):
                span = " ".join(
                    words[first.position : second.position + len(words_of(second.text))]
                )
                terms.append(Term(COMPARISON, span, len(words)))
                break
    concepts = {t.concept for t in terms}
    about = TOPIC_KINDS + PART_KINDS
    read_all = _without_reasons(vocabulary, everything, words_of(text))
    story_aside = _set_aside(text, _RULED_OUT)
    excluded += tuple(
        t.concept
        for t in read_all
        if t.position in story_aside
        and _kind(vocabulary, t.concept) in TOPIC_KINDS + CONDITION_KINDS
        and t.concept not in excluded
    )
    story = [
        t
        for t in read_all
        if t.asks
        and (_kind(vocabulary, t.concept) in about or _about_asker(t))
        and not vocabulary.is_generic(t.concept)
        and t.concept not in concepts
        and t.concept not in excluded
    ]
    if not any(_kind(vocabulary, t.concept) in TOPIC_KINDS + CONDITION_KINDS for t in terms):
        # "If one doesn't directly cause the other, where does the correlation come
        # from?": the story's "one … the other" is the two conditions.
        story += [
            t
            for t in _one_and_the_other(vocabulary, read_all, words_of(text))
            if t not in read_all and t.concept not in concepts
        ]
    if alternatives and any(t.concept == COMPARISON for t in terms):
        # "calcium vs vitamin D, which is better for bones": the story names what is
        # compared, and one sentence must say it of them.
        compared = [t for t in story if _kind(vocabulary, t.concept) in TOPIC_KINDS]
        terms = [*terms, *compared]
        story = [t for t in story if t not in compared]
    kinds = {_kind(vocabulary, t.concept) for t in [*story, *terms]}
    yes_no = _first_word(words) in _YES_NO_WORDS and not _request(words)
    # "I'm also on Fosamax, which one is it?": a second drug beside the previous one.
    together = bool(_TOGETHER & set(words_of(text))) and any(
        _is_drug(vocabulary, t.concept) for t in [*story, *terms]
    )
    pronoun = _pronoun_subject(words)
    own_kinds = {_kind(vocabulary, t.concept) for t in terms}
    has_topic = bool(kinds & set(TOPIC_KINDS + CONDITION_KINDS))
    causes = any(_kind(vocabulary, t.concept) in RELATION_KINDS or t.concept == WHY for t in terms)
    # "I have PCOS - is that why my hair is thinning?", "my GP mentioned Evista, does it
    # help bones?": what "that" or "it" stands for, the cause asked about, is the thing
    # the clause before names, though the article does not know it; the answer must
    # cover it. (Not "my hair comes out in handfuls, is that TE?")
    same = vocabulary.read(_clause_before(text, asked)) if pronoun and causes else []
    named = [t for t in same if _unknown_thing(t) and t.concept not in concepts]
    if named and not kinds & set(TOPIC_KINDS):
        terms += named
    elif pronoun and causes and not set(TOPIC_KINDS) & own_kinds:
        # Otherwise the thing named last, even beside a subject the article knows ("since
        # menopause … my cousin says minoxidil saved hers. Does it work?", "My friend
        # swears by rosemary oil … I'm tempted to try it. Does it work?").
        referent = _unknown_referent(vocabulary, _clauses_before(text, asked))
        terms += [referent] if referent and referent.concept not in concepts else []
    elif (
        DEFINITION in concepts
        and words[-1:] in (["it"], ["that"], ["this"])
        and not set(TOPIC_KINDS + CONDITION_KINDS) & own_kinds
    ):
        # "The Paget disease of the bone, what is it?": what "it" is, is the thing the
        # clause before names by a name no dictionary knows (not "nobody has told me what
        # it is", nor "like paper").
        story_end = _read_last_clause_before(vocabulary, text, asked)
        terms += [
            t
            for t in story_end
            if _unknown_thing(t)
            and t.concept not in concepts
            and (_capitalised(text, t.text) or not vocabulary.in_dictionary(t.text))
        ]
    elif (
        pronoun
        and causes
        and not set(PART_KINDS + CONDITION_KINDS) & own_kinds
        and (
            words[2:3] in (["be"], ["from"])
            or any(
                t.position <= 2 and _kind(vocabulary, t.concept) in RELATION_KINDS for t in terms
            )
        )
    ):
        # "My mum takes prednisone and now she bruises really easily. Is that from the
        # steroid?": "that" is what the story says happens last, which the article does
        # not know of; the answer must cover it. (Not "does that kind of activity help my
        # bones?", nor "are those two things related to menopause?".)
        story_end = _read_last_clause_before(vocabulary, text, asked)
        if story_end and not _kind(vocabulary, story_end[-1].concept):
            terms.append(replace(story_end[-1], asks=True, position=len(words)))
    # A general word ("the tablet", "these pills") stands for the story's subject; not a
    # way of life ("I'm 55 and menopausal. What everyday habits could help?"), which asks
    # for the article's general advice.
    own_topic = any(
        _kind(vocabulary, t.concept) in TOPIC_KINDS
        and (not vocabulary.is_generic(t.concept) or t.concept == LIFESTYLE)
        for t in terms
    )
    if own_topic and not together and not pronoun:
        # "I'd always eaten well and walked the dog. Why does menopause thin bones?": a
        # question with a subject of its own is about it, not the story's subjects; and
        # with a part of the body of its own, not the story's conditions either ("I've
        # got thinning hair and osteoporosis. Is biotin something hair needs?"), nor the
        # story's parts of the body ("I'm on calcium for my bones. Is biotin useful for
        # hair?").
        own_part = any(_kind(vocabulary, t.concept) in PART_KINDS for t in terms)
        dropped = TOPIC_KINDS + (PART_KINDS if own_part else ())
        story = [t for t in story if _kind(vocabulary, t.concept) not in dropped]
    defines = any(t.concept == DEFINITION for t in terms) and any(
        _kind(vocabulary, t.concept) in TOPIC_KINDS + CONDITION_KINDS for t in terms
    )
    if defines and not pronoun:
        # "My parting is getting wider and my sister says it's alopecia. What does
        # alopecia mean?": what it names is defined, not the story's conditions. (A drug
        # in the story stays: "on pred for ages, is that what's thinning my hair?")
        story = [t for t in story if _kind(vocabulary, t.concept) not in CONDITION_KINDS]
    asks = yes_no or bool(kinds & set(RELATION_KINDS + ASK_KINDS + FRAME_KINDS))
    return Question(
        text=text,
        terms=tuple(terms),
        context=tuple(dict.fromkeys(story)),
        yes_no=yes_no,
        negated=any(w in _NEGATIONS for w in words),
        # "is it permanent?" (no subject of its own), "what about steroids?" (nothing
        # asked about it): both lean on the previous question.
        refers_back=not has_topic
        or not asks
        or together
        or pronoun
        or "same" in words
        or bool(_BACK_OBJECT.search(" ".join(words)))
        or _one_sided_link(vocabulary, terms),
        together=together,
        pronoun=pronoun,
        demonstrative=_demonstrative(vocabulary, terms, words),
        alternatives=alternatives or ranks_back,
        excluded=excluded,
        other=_asks_for_another(words)
        and not _PRONOUNS & set(words)
        and any(_kind(vocabulary, t.concept) in TOPIC_KINDS + PART_KINDS for t in terms),
        words=tuple(words),
    )


def _without_excess_of_a_state(vocabulary: Vocabulary, terms: list[Term]) -> list[Term]:
    """`terms` without "too much" said of a state the article speaks of only in excess
    ("too much stress", "stress too much", "too much resorption"): it is that state, not
    an excess intake. It stays for what is taken or done ("too much calcium", "too much
    steroid use", "too much exercise")."""
    states = [t for t in terms if t.concept in _EXCESSIVE_STATES]
    return [
        t
        for t in terms
        if t.concept != EXCESS
        or not any(0 < abs(s.position - t.position) <= 2 for s in states)
        or any(
            _kind(vocabulary, o.concept) in TOPIC_KINDS
            and o.concept not in _EXCESSIVE_STATES
            and 0 < abs(o.position - t.position) <= 2
            for o in terms
        )
    ]


def _without_either_or_of_one_kind(vocabulary: Vocabulary, terms: list[Term]) -> list[Term]:
    """`terms` without the comparison of an either/or between two answers to one kind of
    question ("is it temporary or is it forever?", "will it come back, or is it gone for
    good?"): a sentence that gives either answer says which."""
    kept = []
    for i, term in enumerate(terms):
        after = terms[i + 1 : i + 2]
        either_or = (
            term.concept == COMPARISON
            and term.text.split()[:1] == ["or"]
            and bool(after)
            and _kind(vocabulary, after[0].concept) in ASK_KINDS
            and after[0].concept in {t.concept for t in terms[:i]}
        )
        if not either_or:
            kept.append(term)
    return kept


def _other_effects(
    vocabulary: Vocabulary, terms: list[Term], besides: set[int], words: Sequence[str]
) -> list[Term]:
    """`terms` with a condition that a question about effects sets aside ("does alendronate
    cause anything besides hair loss?") read as what it asks: other effects, which no
    sentence of the article names as such. (Not a part of the body: "does iron help with
    anything besides hair?" is answered by "… and red blood cell production".)"""
    aside = [
        t
        for t in terms
        if t.position in besides and _kind(vocabulary, t.concept) in CONDITION_KINDS
    ]
    outside = [t for t in terms if t.position not in besides]
    relation = any(_kind(vocabulary, t.concept) == "relation" for t in outside)
    # Only "anything / something / what else besides …", and only when no other effect is
    # asked ("other than bone thinning, can osteoporosis cause hair loss?" asks that).
    start = min(besides, default=0)
    something = words[start - 1 : start] and words[start - 1] in _SOMETHING | {"else"}
    asked_at = min(
        (t.position for t in outside if _kind(vocabulary, t.concept) == "relation"), default=0
    )
    effect = any(
        _kind(vocabulary, t.concept) in PART_KINDS and t.position > asked_at for t in outside
    )
    if not aside or not relation or not something or effect:
        return terms
    if words[start - 1] in _SOMETHING:
        start -= 1  # "anything besides hair loss"; not "else besides hair loss"
    end = max(t.position + len(words_of(t.text)) for t in aside)
    other = Term(OTHER_EFFECTS, " ".join(words[start:end]), start)
    return [*(t for t in terms if t not in aside), other]


def _quoted_defined(
    vocabulary: Vocabulary, terms: list[Term], text: str, words: Sequence[str]
) -> list[Term]:
    """`terms` with the word the message quotes, when it asks what something means and
    names nothing of its own: "My pharmacist said my hair loss might be 'iatrogenic'.
    What does that mean?" asks what "iatrogenic" means."""
    if (
        all(t.concept != DEFINITION for t in terms)
        or any(_kind(vocabulary, t.concept) in TOPIC_KINDS + CONDITION_KINDS for t in terms)
        or not (_MEANING & set(words) or (len(words) <= 4 and words[-1:] in (["that"], ["this"])))
    ):
        return terms
    quoted = [
        m
        for m in _QUOTED.finditer(text)
        if any(t.known and _kind(vocabulary, t.concept) for t in vocabulary.read(m.group(1)))
    ]
    if not quoted:
        return terms  # "his bones were 'like paper'": the story's subject, not the words
    # The quoted word as its clause says it ("my bones are 'thin'": thin bones).
    clause = next(
        (c for _, c in reversed(_clauses(text)) if quoted[-1].group(0) in c), quoted[-1].group(1)
    )
    named = [
        t
        for t in vocabulary.read(clause)
        if _kind(vocabulary, t.concept) in TOPIC_KINDS + CONDITION_KINDS + PART_KINDS
        or t.text in quoted[-1].group(1).lower()
    ]
    end = len(words)
    return [*terms, *(Term(t.concept, t.text, end, t.known, t.asks) for t in named)]


def _hedged(vocabulary: Vocabulary, terms: list[Term], words: Sequence[str]) -> list[Term]:
    """`terms` without a "likely" that only hedges a relation ("is the steroid likely to be
    behind both?", "is that tablet likely to be involved?": does it act on them); not a
    question of how likely ("more likely to", "how likely").
    """
    relations = [
        t.position
        for t in terms
        if _kind(vocabulary, t.concept) in RELATION_KINDS or t.concept == WHY
    ]

    def hedges(term: Term) -> bool:
        at = term.position
        following = words[at + 1 : at + 2]
        return (
            term.text == "likely"
            and words[at - 1 : at] not in (["more"], ["less"], ["most"], ["how"], ["as"])
            and (following == ["to"] or (bool(following) and following[0].endswith("ing")))
            and any(at < r <= at + 6 for r in relations)
        )

    return [t for t in terms if not (t.concept == COMMONNESS and hedges(t))]


def _hurting(terms: list[Term], words: Sequence[str]) -> list[Term]:
    """`terms` with "hurt" that has no object ("does osteoporosis hurt?", "will it hurt
    at all?") read as pain, not as harm done to something ("does stress hurt bones?")."""
    for term in terms:
        rest = [w for w in words[term.position + 1 :] if w not in _NO_OBJECT]
        if term.text in _HURT and not rest:
            pain = Term(PAIN, term.text, term.position, term.known, term.asks)
            return [pain if t is term else t for t in terms]
    return terms


def _with_a_rate(terms: list[Term], asked: str, words: Sequence[str]) -> list[Term]:
    """`terms` with a rate the question names ("like 1 in 1000?", "is it 5%?", "one in
    three women") read as asking for figures, which the article never gives."""
    found = _RATE.search(asked)
    if not found or any(t.concept == STATISTICS for t in terms):
        return terms
    said = words_of(found.group())
    at = next((i for i in range(len(words)) if list(words[i : i + len(said)]) == said), 0)
    return [*terms, Term(STATISTICS, found.group(), at)]


def _how_often_it_happens(
    vocabulary: Vocabulary, terms: list[Term], words: Sequence[str]
) -> list[Term]:
    """`terms` with "how often" before an effect ("how often alendronate actually leads to
    hair loss") read as how common it is, not as a schedule ("how often should I take
    vitamin D?")."""
    for term in terms:
        if term.concept != FREQUENCY or not term.text.startswith("how often"):
            continue
        after = [t for t in terms if t.position > term.position]
        effect = any(t.concept in _EFFECTS for t in after)
        if effect and not _TAKING & set(words):
            common = Term(COMMONNESS, term.text, term.position, term.known, term.asks)
            return [common if t is term else t for t in terms]
    return terms


def _one_and_the_other(
    vocabulary: Vocabulary, terms: list[Term], words: Sequence[str]
) -> list[Term]:
    """`terms` with "one … the other" around a relation ("does one cause the other?", "is
    one linked to the other?") read as the two conditions, when the question names no
    subject or condition of its own. (Not "is one better than the other?", a choice
    between what was just named.)"""
    if any(_kind(vocabulary, t.concept) in TOPIC_KINDS + CONDITION_KINDS for t in terms):
        return terms
    for at, word in enumerate(words):
        if word != "one" or words[at + 1 : at + 7].count("other") != 1:
            continue
        other = at + 1 + words[at + 1 : at + 7].index("other")
        if words[other - 1] != "the" or not any(
            _kind(vocabulary, t.concept) == RELATION and at < t.position < other for t in terms
        ):
            continue
        first, second = vocabulary.concepts[BOTH_CONDITIONS].implies
        return [*terms, Term(first, "one", at), Term(second, "the other", other - 1)]
    return terms


def _other_side_effects(
    vocabulary: Vocabulary, terms: list[Term], words: Sequence[str]
) -> list[Term]:
    """`terms` with "other side effects" ("what other side effects does Fosamax have?",
    "any further reactions?") read as what it asks: effects other than the ones the
    article names, which no sentence names as such. Not when the question names the
    effect it asks about ("any other side effects on hair?")."""
    for term in terms:
        at = term.position
        if term.concept != SIDE_EFFECT or not at or words[at - 1] not in _FURTHER:
            continue
        if any(_kind(vocabulary, t.concept) in PART_KINDS and t.position > at for t in terms):
            return terms
        # The relation stays: the question still asks about effects.
        other = Term(OTHER_EFFECTS, f"{words[at - 1]} {term.text}", at - 1)
        return [*terms, other]
    return terms


def _without_contrast_named(vocabulary: Vocabulary, terms: list[Term]) -> list[Term]:
    """The terms, without a "vs" or "compared to" between two things of one concept that
    the article itself names ("osteoclast vs osteoblast": its sentence on remodeling sets
    one against the other). Not two things it never names ("almond vs soy milk")."""
    things = [t for t in terms if _kind(vocabulary, t.concept) in TOPIC_KINDS + CONDITION_KINDS]
    kept = []
    for term in terms:
        if term.concept == COMPARISON and words_of(term.text)[:1] in _CONTRAST_WORDS:
            before = [t for t in things if t.position < term.position][-1:]
            after = [t for t in things if t.position > term.position][:1]
            if (
                before
                and after
                and before[0].concept == after[0].concept
                and all(vocabulary.in_documents(t.text) for t in (*before, *after))
            ):
                continue
        kept.append(term)
    return kept


def _one_sided_link(vocabulary: Vocabulary, terms: Iterable[Term]) -> bool:
    """Whether a link is asked with only one side of it named ("her hair's thinning too -
    connected?"): the other side is what was talked about before."""
    concepts = {t.concept for t in terms}
    sides = {
        c for c in concepts if _kind(vocabulary, c) in TOPIC_KINDS + CONDITION_KINDS + PART_KINDS
    }
    return LINK in concepts and len(sides) == 1


def _asks_back(question: Question) -> bool:
    """Whether a message that names nothing asks about the last answer ("why?", "is it
    serious?", "what does that mean"), rather than saying nothing we can read
    ("restart", "hmm ok")."""
    words = [w for w in words_of(question.text) if w not in _FILLERS]
    return "?" in question.text or (words[:1] != [] and words[0] in _QUESTION_WORDS)


def _request(words: Sequence[str]) -> bool:
    """Whether a question that opens like a yes/no question asks for something ("could
    you explain…", "can you tell me…", "do you know why…")."""
    rest = [w for w in words if w not in _FILLERS and w != "please"]
    return len(rest) > 2 and rest[1] == "you" and rest[2] in _REQUESTS


def _without_reasons(vocabulary: Vocabulary, terms: list[Term], words: list[str]) -> list[Term]:
    """The terms, with what a drug is taken for said but not asked ("the steroids I take
    for my back pain", "the steroid pills I take for pain", "prednisone prescribed for
    her asthma", "hormone pills for the change"): the article names few of the reasons,
    and the question is about the drug."""
    reasons: set[int] = set()
    for term in terms:
        if not _is_drug(vocabulary, term.concept):
            continue
        after = term.position + len(words_of(term.text))
        for i in range(after, min(after + 4, len(words) - 2)):
            direct = i == after and words[i] == "for"
            taking = words[i] in _TAKING and words[i + 1] == "for"
            if direct or taking:
                end = i + 1 if direct else i + 2
                end += words[end] in _OWNERS  # "for my asthma", "for the change"
                start = end
                while end < min(start + 3, len(words)) and words[end] not in STOPWORDS:
                    end += 1
                said = set(range(start - 1, end))  # with "my", "the" ("the change")
                # "hormone therapy for transgender people": whom it is for, not why.
                if not _PEOPLE & set(words[start:end]) and not any(
                    t.position in said and _kind(vocabulary, t.concept) == "population"
                    for t in terms
                ):
                    reasons |= said
                break
    return [
        Term(t.concept, t.text, t.position, t.known, False) if t.position in reasons else t
        for t in terms
    ]


def _alternatives(words: Sequence[str]) -> bool:
    """Whether "or" (or "vs") joins two words that name something ("dairy or spinach",
    "oral or IV", "calcium vs vitamin D"), not a clause ("…, or should I stop?")."""
    for i, word in enumerate(words):
        if word in _OR and 0 < i < len(words) - 1:
            after = [w for w in words[i + 1 : i + 3] if w not in _DETERMINERS]
            if words[i - 1] not in STOPWORDS and after and after[0] not in STOPWORDS:
                return True
    return False


def _asks_for_another(words: Sequence[str]) -> bool:
    """Whether a question asks for another of something ("other medicines?", "anything
    else?"); not "the other" ("does one cause the other?", "the other way round")."""
    return any(
        word in _ELSE and not (word == "other" and i and words[i - 1] == "the")
        for i, word in enumerate(words)
    )


def _unknown_thing(term: Term) -> bool:
    """A thing the question names that the vocabulary does not know ("minoxidil")."""
    return term.asks and not term.known


def _unknown_referent(vocabulary: Vocabulary, clauses: Sequence[str]) -> Term | None:
    """What "it" after `clauses` stands for when it is a thing the vocabulary does not
    know: the last thing the nearest clause that names one names, if unknown and named
    bare, as a name is ("minoxidil saved hers", "my GP mentioned Evista", "swears by
    rosemary oil"); not one after a determiner or in passing, which a story only
    mentions ("on prednisone for my arthritis. Could that…", "walk my dog", "following
    breast cancer")."""
    for clause in reversed(clauses):
        words = words_of(clause)
        read = vocabulary.read(clause)
        # Not what a thing is for ("swears by rosemary oil for her thinning hair").
        referents = [
            t
            for t in read
            if (_kind(vocabulary, t.concept) in TOPIC_KINDS + CONDITION_KINDS or _unknown_thing(t))
            and not _PURPOSE_WORDS & set(words[max(t.position - 2, 0) : t.position])
        ]
        if not referents:
            continue
        last = referents[-1]
        if not _unknown_thing(last):
            return None
        # With the unknown words right before it: "rosemary oil", not "oil".
        at = last.position
        unknown = {t.position for t in read if _unknown_thing(t)}
        passing = _DETERMINERS | _IN_PASSING
        while at - 1 in unknown and words[at - 1] not in passing:
            at -= 1
        if not at or words[at - 1] in passing:
            return None
        end = last.position + len(words_of(last.text))
        return replace(last, text=" ".join(words[at:end]), position=at)
    return None


def _pronoun_subject(words: Sequence[str]) -> bool:
    """Whether a question's subject is a pronoun ("does it cause hair loss?", "can they
    thin hair?", "is it better than swimming?", "how does it affect hair growth?", "which
    phase does it start?"), not a placeholder ("is it true that…", "is it better to…")."""
    words = [w for w in words if w not in _FILLERS]
    if (
        len(words) >= 5
        and words[0] in _WH_WORDS
        and words[1] not in _YES_NO_WORDS
        and words[2] in _YES_NO_WORDS
        and words[3] in ("it", "they")
    ):
        words = words[2:]  # "which cells does it activate?": "which cells" is what is asked
    if len(words) >= 4 and words[0] in _WH_WORDS and words[1] in _YES_NO_WORDS:
        if words[2] not in ("it", "they"):
            return False  # "why do those cells…?": "those" names its own subject
        words = words[1:]  # "how does it affect hair growth?", "when does it drop?"
    return (
        len(words) >= 3
        and words[0] in _YES_NO_WORDS
        and words[1] in _PRONOUNS
        and (words[2] not in _PLACEHOLDER_FOLLOWERS or words[3:4] == ["than"])
    )


def _demonstrative(vocabulary: Vocabulary, terms: Sequence[Term], words: Sequence[str]) -> bool:
    """Whether "that", "this", "these" or "those" points at a subject, condition or drug
    the question names ("what's that kind of hair loss called?", "is this shedding
    permanent?", "which of those drugs?")."""
    for term in terms:
        if _kind(vocabulary, term.concept) not in TOPIC_KINDS + CONDITION_KINDS:
            continue
        before = list(words[max(0, term.position - 3) : term.position])
        if before[-2:] in _SORT_OF:
            before = before[:-2]
        if before[-1:] and before[-1] in _DEMONSTRATIVES:
            return True
    return False


def _is_drug(vocabulary: Vocabulary, concept: str) -> bool:
    return concept != MEDICATION and MEDICATION in vocabulary.implied([concept])


def names_something(question: Question, vocabulary: Vocabulary, plain: bool = False) -> bool:
    """Whether a message names something the article could be about (a subject, a
    condition, a part of the body), or with `plain`, any thing at all ("fingernails"),
    a group of people ("what about for men?"), a food or where a nutrient comes from ("I
    hate milk"): "tell me more about calcium" is a question of its own, "tell me more" is
    not."""
    return any(
        _kind(vocabulary, t.concept) in TOPIC_KINDS + PART_KINDS
        or (
            plain
            and t.asks
            and (
                not _kind(vocabulary, t.concept)
                or t.concept in _WHERE_FROM
                or _kind(vocabulary, t.concept) == "population"
            )
        )
        for t in question.context + question.terms
    )


def _role(vocabulary: Vocabulary, concept: str, topics: set[str]) -> str:
    kind = _kind(vocabulary, concept)
    if concept in topics:
        return "topic"
    if kind in RELATION_KINDS:
        return "relation"
    if kind in ASK_KINDS:
        return kind
    if kind in FRAME_KINDS:
        return "ask"
    return "outcome"


def _affects_body(vocabulary: Vocabulary, concept: str) -> bool:
    """A condition of a part of the body (hair loss, osteoporosis), not only a process
    in it (inflammation)."""
    return _kind(vocabulary, concept) in CONDITION_KINDS and any(
        _kind(vocabulary, c) == "body" for c in vocabulary.implied([concept])
    )


def _topics(vocabulary: Vocabulary, concepts: Sequence[str]) -> set[str]:
    """What a question is about: its subjects ("steroids" in "can steroids thin hair?"),
    or, when it names none, its conditions ("osteoporosis and hair loss" in "why do
    osteoporosis and hair loss happen together?")."""
    for kinds in (TOPIC_KINDS, CONDITION_KINDS):
        found = {c for c in concepts if _kind(vocabulary, c) in kinds}
        if found:
            return found
    return set()


def follow_up(
    question: Question, previous: dict[str, Any] | None, vocabulary: Vocabulary
) -> Question:
    """Complete a follow-up from the previous question: what it names replaces what
    played the same role before ("what about steroids?" keeps "cause hair loss"; "and
    the bones?" keeps "steroids cause"); a new relation or kind of question starts a
    new question about the same topic ("how much per day?"). "Also" or "which one" with
    a second drug keeps the first beside it."""
    both = list(vocabulary.concepts[BOTH_CONDITIONS].implies)
    one_condition = previous is not None and _topics(
        vocabulary, [str(c) for c in previous.get("concepts") or []]
    ) in [{c} for c in both]
    if _links_the_two(question, vocabulary) and (not previous or one_condition):
        # "If one doesn't cause the other, how come they turn up together?" opening a
        # conversation, or "are they connected?" after "what is osteoporosis?": "they"
        # are the two conditions the assistant is about.
        previous = {"concepts": both}
    if not previous or not question.refers_back:
        return question
    if question.text.strip().startswith("/") or (
        not any(t.asks for t in question.terms) and not _asks_back(question)
    ):
        return question  # "restart", "hmm ok", a typed "/stop": nothing to complete
    own_words = set(words_of(question.text))
    if question.other and any(
        _kind(vocabulary, c) in RELATION_KINDS + ASK_KINDS for c in question.concepts
    ):
        return question  # "what else helps hair and bones?": not the last topic again
    old = [str(c) for c in previous.get("concepts") or []]
    # Without a subject or condition, the parts of the body asked about are the topic
    # ("what can I eat for bones and hair?", then "I don't eat dairy").
    old_topics = _topics(vocabulary, old) or {c for c in old if _kind(vocabulary, c) in PART_KINDS}
    new_topics = _topics(vocabulary, question.concepts)
    subjects = set(TOPIC_KINDS)
    if (question.pronoun and old_topics) or (
        any(_kind(vocabulary, c) in subjects for c in old_topics)
        and new_topics
        and all(_affects_body(vocabulary, c) for c in new_topics)
    ):
        # "Can vitamin D deficiency cause osteoporosis?", then "and hair loss?"; "what is
        # osteoporosis?", then "does it cause hair loss?": what is named is the outcome,
        # and the topic stays. Not a condition that is itself a cause ("does stress
        # affect hair?", then "what about inflammation?").
        new_topics = set()
    old_roles = {c: _role(vocabulary, c, old_topics) for c in old}
    new_roles = {
        t.concept: _role(vocabulary, t.concept, new_topics)
        for t in question.context + question.terms
    }
    replaced = set(new_roles.values())
    own = [w for w in words_of(asking_part(question.text)) if w not in _FILLERS]
    wh = own[:1] != [] and own[0] in _WH_WORDS and own[1:2] != ["about"]
    if wh and "outcome" in replaced:
        # "How much calcium do adults need?", then "what helps me absorb it?": a question
        # word with something of its own to ask asks a new question about the topic, not
        # the amount again.
        replaced |= {"relation", "ask"}
    if replaced & {"relation", "ask"}:
        replaced |= {"relation", "ask"}
        # "Why does that happen?" asks why of all that was said; "how much per day?" asks
        # a new question about the topic.
        if not (WHY in new_roles and _PRONOUNS & own_words):
            replaced.add("outcome")
    if question.together and any(_is_drug(vocabulary, c) for c in old_topics):
        replaced.discard("topic")
    if (question.pronoun or _one_sided_link(vocabulary, question.terms)) and old_topics:
        replaced.discard("topic")
    # "I can't swallow pills": a general word (pills, food) beside a specific topic
    # (vitamin D) does not replace it.
    # "Other medicines?" does replace it.
    if new_topics and all(vocabulary.is_generic(c) for c in new_topics) and not question.other:
        replaced.discard("topic")
    words = previous.get("words") or {}
    # Foods and constraints belong to the subject they were said of: "what foods have
    # calcium?", "I'm vegan", then "and vitamin D?" asks about vitamin D, not vegans.
    if "topic" in replaced:
        dropped = _SOURCES
    elif _WHERE_FROM & set(new_roles):
        dropped = _WHERE_FROM
    else:
        dropped = frozenset()
    if (
        "it" in own_words
        and not _PLURAL & own_words
        and not new_topics
        and (
            set(new_roles.values()) & set(ASK_KINDS)
            or (question.pronoun and {"relation", "outcome"} <= set(new_roles.values()))
        )
    ):
        # "How does vitamin D help with calcium?", then "how much of it should I take?";
        # "does inflammation cause telogen effluvium?", then "can it also worsen bones?":
        # "it" is the subject named first, not both.
        dropped = dropped | frozenset([c for c in old if c in old_topics][1:])
    if question.other:
        # "How much vitamin D?", then "any other vitamins for hair?": which others, not
        # how much of them.
        dropped = dropped | frozenset(c for c in old if _kind(vocabulary, c) in ASK_KINDS)
    asked = {c for c, role in new_roles.items() if role in ("relation", "ask")}
    # "How much calcium?", then "I'm vegan though": the figure is still asked, now of
    # what a vegan can have.
    figures = QUANTITY_ASKS if asked and asked <= _WHERE_FROM else frozenset()
    # "Is walking good for bones?", then "is it better than strength training?": "it" is
    # walking, compared with another thing of the same concept.
    compared = COMPARISON in new_roles and question.pronoun
    kept = [
        Term(c, str(words.get(c) or c.replace("_", " ")), -1)
        for c, role in old_roles.items()
        if (
            ((role not in replaced or c in figures) and c not in new_roles)
            or (compared and role == "topic")
        )
        and c not in dropped
    ]
    elliptical = not ({"relation", "ask"} & set(new_roles.values()))
    # "Which one is it?" asks which, whatever the question before it asked; "what about
    # steroids?" asks the question before it again.
    return replace(
        question,
        terms=tuple(kept) + question.terms,
        yes_no=bool(previous.get("yes_no")) if elliptical and not wh else question.yes_no,
    )


def _links_the_two(question: Question, vocabulary: Vocabulary) -> bool:
    """Whether `question` asks how "they" go together without naming anything they
    could be ("why do they turn up together?")."""
    return (
        bool(_PLURAL & set(words_of(asking_part(question.text))))
        and any(t.concept == LINK for t in question.terms)
        and not any(_kind(vocabulary, c) in TOPIC_KINDS + PART_KINDS for c in question.concepts)
    )


def remembered(question: Question, decision: Decision, vocabulary: Vocabulary) -> dict[str, Any]:
    """What the conversation keeps of an answered question for its follow-ups: the
    question, less what the article did not cover; and when it named no subject or
    condition ("what else can I do for my bones?"), the subjects of the entry that answered
    it, so that "I'm lactose intolerant though" is read as about that entry's subject."""
    # A comparison by degree ("are the inhaler ones as bad as the tablets?") belongs to
    # its own turn: "what about alendronate?" next does not ask whether it is as bad.
    by_degree = (COMPARISON,) if _by_degree(question) else ()
    record = question.record((*decision.missing, *by_degree))
    entry = decision.entry
    if entry is None or decision.outcome not in (ANSWER, PARTIAL):
        return record
    kinds = {_kind(vocabulary, c) for c in question.concepts}
    if DEFINITION in question.concepts and kinds & set(PART_KINDS):
        return record  # "what is a hair follicle?": the follicle is the subject
    if not kinds & {*TOPIC_KINDS, *CONDITION_KINDS}:
        topics = [
            c for c in entry.subjects if _kind(vocabulary, c) in TOPIC_KINDS + CONDITION_KINDS
        ]
        record["concepts"] = [*record["concepts"], *(topics or entry.subjects[:1])]
    return record


def with_earlier_drugs(
    question: Question, earlier: Callable[[], Sequence[str]], vocabulary: Vocabulary
) -> Question:
    """ "I take both. Which one is it?": the drugs the conversation spoke of before (most
    recent first; `earlier` reads them, only for such a question) beside the question,
    when it asks which of them and names fewer than two; it is then an attribution
    question, never a verdict on one of them."""
    words = set(words_of(asking_part(question.text)))
    if not ("which" in words or ("both" in words and _TAKING & words)):
        return question
    named = [c for c in question.concepts if _is_drug(vocabulary, c)]
    said = set(words_of(question.text))
    on_both = "which" in words and "both" in said and bool(_TAKING & said)
    if not named and not on_both:
        return question
    added = [
        Term(c, c.replace("_", " "), -1)
        for c in dict.fromkeys(earlier())
        if c not in named and _is_drug(vocabulary, c)
    ][: max(0, 2 - len(named))]
    if len(named) + len(added) < 2:
        # "I'm on both. Which one is it?" after the answers on bisphosphonates and HRT:
        # the two drugs spoken of last; with fewer, nothing to choose between.
        return question
    return replace(question, context=question.context + tuple(added), together=True, yes_no=False)


# ---- Covering the question ------------------------------------------------------------


def _generalised(vocabulary: Vocabulary, concepts: Iterable[str]) -> frozenset[str]:
    """Concepts with every relation also standing for the generic RELATION."""
    result = set(concepts)
    if any(_kind(vocabulary, c) == "relation" for c in result):
        result.add(RELATION)
    return frozenset(result)


@lru_cache(maxsize=1024)
def _sentence_concepts(vocabulary: Vocabulary, sentence: str) -> frozenset[str]:
    """What a sentence says. An adverb of frequency inside a longer phrase of something
    else says how often that is, not how common anything is: "conditions frequently
    associated with osteoporosis" does not say how common hair loss is. (An adjective
    does say it of its noun: "a common concern", "temporary shedding".)"""
    concepts = _generalised(vocabulary, vocabulary.concepts_of(sentence))
    if COMMONNESS in concepts and COMMONNESS not in _named_concepts(vocabulary, sentence):
        said = [
            w
            for w in words_of(sentence)
            if any(t.concept == COMMONNESS for t in vocabulary.read(w))
        ]
        if all(w.endswith("ly") for w in said):
            return concepts - {COMMONNESS}
    return concepts


@lru_cache(maxsize=1024)
def _named_concepts(vocabulary: Vocabulary, sentence: str) -> frozenset[str]:
    """What a sentence names in so many words ("hair loss … is a disruption of the hair
    growth cycle" names the cycle; "hair falls out from the scalp" names hair loss and
    hair, which imply the cycle, but does not name it)."""
    return _generalised(vocabulary, (t.concept for t in vocabulary.read(sentence)))


def _narrower(vocabulary: Vocabulary, question: Question, sentence: str) -> bool:
    """Whether the sentence is about a kind of what the question asks about, which the
    question does not name ("can it be reversed?" of a hair loss: telogen effluvium is
    temporary, but that says nothing of the hair loss asked about)."""
    asked = _topics(vocabulary, question.concepts)
    return any(
        topic not in asked and bool(asked & (vocabulary.implied([topic]) - {topic}))
        for topic in _topics(vocabulary, sorted(_named_concepts(vocabulary, sentence)))
    )


@lru_cache(maxsize=1024)
def _purposes(vocabulary: Vocabulary, sentence: str) -> frozenset[str]:
    """What a sentence names only as what a treatment is for ("prescribed to manage
    inflammation or chronic pain", "drugs used in cancer treatment"), not as an effect."""
    spans: list[str] = []
    rest: list[str] = []
    for clause in sentence.split(","):
        words = words_of(clause)
        at = next(
            (i + 2 for i in range(len(words) - 1) if tuple(words[i : i + 2]) in _PURPOSE),
            None,
        )
        if at is None:
            rest.append(clause)
            continue
        end = next((j for j in range(at, len(words)) if words[j] in _PURPOSE_END), len(words))
        spans.append(" ".join(words[at:end]))
        rest.append(" ".join(words[:at] + words[end:]))
    if not spans:
        return frozenset()
    return _generalised(vocabulary, vocabulary.concepts_of(" ".join(spans))) - _generalised(
        vocabulary, vocabulary.concepts_of(" ".join(rest))
    )


def _by_degree(question: Question) -> bool:
    """Whether the question compares by degree ("better than", "which is worse", "more
    common", "as good as"), not only what things are ("a skin problem rather than a bone
    problem?", "is there more to it than that?")."""
    if all(t.concept != COMPARISON for t in question.terms):
        return False
    words = question.words
    after = [*words[1:], ""]  # each word's next word
    # "As good as", "just as effective as": equal in degree is a degree too.
    equative = any(
        words[i] == "as" and words[i + 2] == "as" and words[i + 1] not in STOPWORDS
        for i in range(len(words) - 2)
    )
    return equative or any(
        w in _COMPARATIVES and (w not in ("more", "less") or (nxt and nxt not in STOPWORDS))
        for w, nxt in zip(words, after, strict=True)
    )


def _asks_difference(words: Sequence[str]) -> bool:
    """Whether the question asks how things differ ("the difference between…", "how does
    X differ from Y", "different from"), not only says they do ("…when bones and hair
    are so different")."""
    after = [*words[1:], ""]
    return any(
        w in _DIFFERENCE and (w != "different" or nxt in ("from", "to", "than"))
        for w, nxt in zip(words, after, strict=True)
    )


def _effects_asked(vocabulary: Vocabulary, question: Question) -> frozenset[str]:
    """What the question asks about as an effect: the concepts after the word that asks
    what something causes ("can steroids cause inflammation?", "does HRT increase cancer
    risk?"); none for a question about what something treats ("do steroids calm
    inflammation?"), nor what comes before ("do the pills they give for cancer cause
    hair loss?")."""
    concepts = {t.concept for t in question.terms}
    asking = _EFFECTS | {"benefit"}
    if concepts & _TREATING or not concepts & asking:
        return frozenset()
    # "increase … risk": the effect starts at the first word of either.
    at = min(t.position for t in question.terms if t.concept in asking)
    after = frozenset(t.concept for t in question.terms if t.position > at)
    # Without a word for an effect, a good effect on a part of the body is one too ("does
    # HRT protect the bones?"); "do steroids help inflammation?" asks what they treat.
    body = bool(after) and all(_kind(vocabulary, c) == "body" for c in after)
    return after if concepts & _EFFECTS or body else frozenset()


def _needed(vocabulary: Vocabulary, question: Question, terms: Iterable[Term]) -> frozenset[str]:
    """The concepts an answer must cover: relations as the generic RELATION; frames not
    at all, nor a comparison between fewer than two subjects ("the best source of
    calcium" asks for the source; "is calcium better than vitamin D" compares). Words
    that only frame a question are left out too, unless the question asks about an
    effect and names nothing else it could be ("can stress cause memory problems?");
    even then adverbs and verbs are left out ("is it literally causing it?")."""
    # "Best habits for OP and hair loss?", "best exercise for OP? is walking ok?": a
    # superlative alone ranks a kind of thing for what it names, and compares nothing it
    # names, without "or", "than" or "which".
    superlative = all(
        t.text.split()[0] in _SUPERLATIVES for t in question.terms if t.concept == COMPARISON
    ) and not ({"than", "which"} & set(question.words))
    compared = _compares_two(vocabulary, question) and not superlative
    ranks = any(t.text in _RANKING for t in question.terms)  # "a gentler one"
    strict = _effect_unnamed(vocabulary, question, _topics(vocabulary, question.concepts))
    return frozenset(
        RELATION if _kind(vocabulary, t.concept) == "relation" else t.concept
        for t in terms
        if (t.asks or (strict and vocabulary.may_name_effect(t.text)))
        and _kind(vocabulary, t.concept) not in FRAME_KINDS
        and (t.concept != COMPARISON or compared or question.alternatives or ranks)
    )


def _compares_two(vocabulary: Vocabulary, question: Question) -> bool:
    """Whether a comparison in the question is between two named things of one kind
    ("HRT or Fosamax", "oat milk or almond milk", "alendronate than risedronate"), not
    a superlative about one ("the best exercise for bones")."""
    things: dict[str, set[int]] = {}
    for term in question.context + question.terms:
        kind = "" if term.concept in _SOURCES else _kind(vocabulary, term.concept)
        if (
            term.asks
            and kind in (*TOPIC_KINDS, *CONDITION_KINDS, "")
            and term.concept != COMPARISON
            # "Which vitamin…": what is chosen from, not one of the things compared.
            and not (vocabulary.is_generic(term.concept) and _after_which(question, term))
        ):
            things.setdefault(kind, set()).add(term.position)
    if _named_after_than(vocabulary, question) and len(things.keys() - {""}) >= 2:
        # "Is it worse for bones than steroids?" after inflammation: "than" compares two
        # things the article knows, though of different kinds.
        return True
    return any(len(positions) >= 2 for positions in things.values())


def _capitalised(text: str, name: str) -> bool:
    """Whether `name` is written with a capital inside a sentence of `text`, as a name is
    ("The Paget disease"); not the first word of a sentence."""
    return any(
        re.search(rf"(?<![.!?]\s)(?<!^)\b{re.escape(word.capitalize())}\b", text)
        for word in words_of(name)
    )


def _of_old_age(text: str) -> bool:
    """Whether a message speaks of older people ("is it common in older people?", "she's
    82, is it common at her age?"; not "my son is 16, is that common at his age?")."""
    words = set(words_of(text))
    if _OLD_AGE & words:
        return True
    return bool({"age", "old"} & words) and any(
        int(n) >= OLD_AGE_FROM for n in _AN_AGE.findall(text)
    )


def _named_after_than(vocabulary: Vocabulary, question: Question) -> bool:
    """Whether "than" is followed by a thing the question names ("worse … than
    steroids"); not "worse than it was", "more than usual" or "rather than"."""
    words = question.words
    starts = [i for i, w in enumerate(words) if w == "than" and words[i - 1 : i] != ["rather"]]
    return any(
        _kind(vocabulary, t.concept) in TOPIC_KINDS + CONDITION_KINDS
        and any(i < t.position <= i + 3 for i in starts)
        for t in question.terms
    )


def _after_which(question: Question, term: Term) -> bool:
    """Whether `term` follows "which" or "what" ("which vitamin", "what kind of food")."""
    before = question.words[max(0, term.position - 3) : max(0, term.position)]
    return bool({"which", "what"} & set(before))


def _effect_unnamed(vocabulary: Vocabulary, question: Question, topics: set[str]) -> bool:
    """A question about an effect ("can X cause…") whose only other concept is its topic
    (not a relation between the two conditions: "is osteoporosis linked to alopecia")."""
    if len(topics) >= 2 and all(_kind(vocabulary, t) in CONDITION_KINDS for t in topics):
        return False
    asking = [t for t in question.context + question.terms if t.asks and t.concept not in topics]
    kinds = {_kind(vocabulary, t.concept) for t in asking}
    return (
        "relation" in kinds
        and not kinds & {*PART_KINDS, *ASK_KINDS, ""}
        and any(not t.asks for t in question.terms)
    )


def _cover(
    vocabulary: Vocabulary,
    candidate: _Candidate,
    needed: frozenset[str],
    context: frozenset[str],
    words: frozenset[str] = frozenset(),
    shown: Collection[str] = (),
    effects: frozenset[str] = frozenset(),
    unsaid: frozenset[str] = frozenset(),
    turned: bool = False,
    differs: bool = False,
    naming: bool = False,
    one_alone: bool = False,
) -> _Cover:
    """The candidate's sentence that covers most of `needed` (with the entry's subjects),
    and what stays uncovered; between equals, the one that says most of it itself, then
    the one that uses most of the question's `words` (stems). `context` may be covered
    by any of its sentences, and so may the further parts of a question about several
    ("does it affect bones and hair?"), once one of them is in the sentence. Between
    sentences that cover as much, one not `shown` just before comes first: a follow-up
    ("what are those shared factors?") is not answered with the sentence it follows.
    The `effects` asked are not covered by a sentence that names them only as what a
    treatment is for ("can steroids cause inflammation?": they are prescribed for it).
    No sentence covers what is `unsaid`. For a question `turned` the other way round from
    the entry's relation, a sentence that states it one way comes after one that does not.
    For a question that asks how two things `differ`, a sentence that contrasts ("while",
    "by contrast") comes before one that only names both. For one that asks what
    something is called (`naming`), a sentence that names it ("known as androgenetic
    alopecia") comes first, though it was just shown. For a question of how common one
    of the two conditions is (`one_alone`), a sentence on the two together does not say
    it."""
    entry = candidate.entry
    base = _generalised(vocabulary, vocabulary.implied(entry.subjects)) if entry else frozenset()

    together = (
        frozenset({*vocabulary.concepts[BOTH_CONDITIONS].implies, LINK}) if one_alone else None
    )

    def says(sentence: str) -> frozenset[str]:
        concepts = _sentence_concepts(vocabulary, sentence) - unsaid
        if together is not None and together <= concepts:
            concepts -= {COMMONNESS}
        return concepts - (_purposes(vocabulary, sentence) & effects) if effects else concepts

    said = [says(q.text) for q in candidate.sentences]
    everywhere = base.union(*said)
    # What the entry names only as what a treatment is for.
    purposes = (
        frozenset().union(*(_purposes(vocabulary, q.text) for q in candidate.sentences)) & effects
        if effects
        else frozenset()
    )
    parts = {c for c in needed if _kind(vocabulary, c) in PART_KINDS}
    # The entry's quotes are shown with any sentence that answers from it.
    quoted = [says(q.text) for q in entry.quotes] if entry else []
    own_subjects = set(entry.subjects) if entry else set()
    best: _Cover | None = None
    best_key: tuple[int, bool, bool, bool, float, bool, int] | None = None
    for sentence, concepts in zip(candidate.sentences, said, strict=True):
        missing = needed - base - concepts
        if parts - missing:
            missing -= parts & everywhere
        elif missing <= parts and not needed & QUANTITY_ASKS:
            # "Is dairy good for my bones?": the sources of calcium, shown beside "calcium
            # is the main mineral component of bone", a quote about the same subject. Not
            # for a figure ("how much calcium for my hair?"): it would seem to be for
            # what its sentence lacks. A general word ("nutrition") is no shared subject.
            subjects = {
                c
                for c in concepts
                if _kind(vocabulary, c) in TOPIC_KINDS and not vocabulary.is_generic(c)
            }
            missing -= frozenset().union(*(s for s in quoted if s & subjects))
        missing |= context - everywhere
        # What the sentence itself says of the question (not through the entry's
        # subjects), then how many of its words it uses; between equals, the one that
        # names more of what the entry's subjects do not ("is hair loss a problem with
        # the hair cycle?": the sentence naming the cycle, not the one on hair falling out).
        # (What it names as a treatment's purpose counts here: it is said.)
        direct = (
            len(needed & _sentence_concepts(vocabulary, sentence.text)) / len(needed)
            if needed
            else 0.0
        )
        lexical = len(words & _sentence_words(sentence.text)) / len(words) if words else 0.0
        overlap = direct + 0.1 * lexical
        named = len((needed - own_subjects) & _named_concepts(vocabulary, sentence.text))
        one_way = (
            turned
            and entry is not None
            and _states_forward(sentence.text, entry.verdict_for, vocabulary)
        )
        contrasts = not differs or COMPARISON in concepts
        names = not naming or DEFINITION in concepts
        key = (
            len(missing),
            one_way,
            not contrasts,
            not names,
            -overlap,
            sentence.text in shown,
            -named,
        )
        if best_key is None or key < best_key:
            purpose = bool(missing & purposes)
            best, best_key = _Cover(candidate, sentence, frozenset(missing), overlap, purpose), key
    return best or _Cover(candidate, None, needed - base | context - everywhere)


def _denies(sentence: str) -> bool:
    """Whether a sentence of the article denies something ("There is no established
    biological pathway…")."""
    return any(w in _NEGATIONS for w in words_of(sentence))


@lru_cache(maxsize=1024)
def _sentence_words(sentence: str) -> frozenset[str]:
    return frozenset(tokenize(sentence))


def _candidates(
    question: Question,
    knowledge: KnowledgeBase,
    vocabulary: Vocabulary,
    index: PassageIndex,
    ranked: Sequence[Entry],
) -> list[_Candidate]:
    found: list[_Candidate] = []
    seen: set[str] = set()

    def add(entry: Entry | None, sentences: tuple[Quote, ...], source: str) -> None:
        key = entry.id if entry else sentences[0].text
        if key not in seen:
            seen.add(key)
            found.append(_Candidate(entry, sentences, source))

    for entry in ranked:
        add(entry, entry.sentences, "classifier")
    for concept in question.concepts:
        about = [e for e in knowledge.entries.values() if concept in e.subjects]
        if not about and question.other and vocabulary.is_generic(concept):
            # "Other medicines?": with no entry on medicines as such, the entries on the
            # subjects the general word covers.
            about = [
                e for e in knowledge.entries.values() if concept in vocabulary.implied(e.subjects)
            ]
        for entry in about:
            add(entry, entry.sentences, "subject")
    explained = [
        c for c in question.concepts if _kind(vocabulary, c) in TOPIC_KINDS + CONDITION_KINDS
    ]
    if {WHY, MECHANISM} & set(question.concepts) and explained:
        # "What causes osteoporosis?": the entries that explain how it comes about, though
        # their subject is a part of it (bone remodeling).
        for entry in knowledge.entries.values():
            if entry.aspect in EXPLAINING_ASPECTS:
                add(entry, entry.sentences, "subject")
    for hit in index.ranked(question.text, limit=3):
        for entry_id in hit.passage.entry_ids:
            entry = knowledge.entries[entry_id]
            add(entry, entry.sentences, "retrieval")
        add(None, (hit.passage.quote,), "retrieval")
    return found


def _fit(
    question: Question,
    vocabulary: Vocabulary,
    entry: Entry | None,
    preferred: Sequence[Entry],
    confidence: dict[str, float],
) -> float:
    """How well an entry that covers the question fits it: first the entries the action
    prefers, then the classifier's confidence, how closely the entry's subjects match the
    question's topics and parts, a definition for "what is X" when X is the entry's own
    subject, an explanation for "why…", and a verdict that answers a yes/no question."""
    if entry is None:
        return -1.0  # a lone retrieved sentence, when no entry covers the question
    topics = vocabulary.implied(_topics(vocabulary, question.concepts))
    own = {c for c in entry.subjects if _kind(vocabulary, c) in TOPIC_KINDS + CONDITION_KINDS}
    subjects = vocabulary.implied(entry.subjects)
    topic_match = len(topics & subjects) / len(topics | own) if topics | own else 0.0
    parts = vocabulary.implied(c for c in question.concepts if _kind(vocabulary, c) in PART_KINDS)
    part_match = len(parts & subjects) / len(parts | subjects) if parts | subjects else 0.0
    plain = not any(_kind(vocabulary, c) in RELATION_KINDS + ASK_KINDS for c in question.concepts)
    first = _first_topic(vocabulary, question)
    definition = (
        plain
        and not question.demonstrative
        and DEFINITION in question.concepts
        and MECHANISM not in question.concepts
        and entry.aspect == DEFINITION_ASPECT
        and entry.subjects[:1] == (first,)
    )
    why = WHY in question.concepts and entry.aspect in EXPLAINING_ASPECTS
    # "What's going on inside the bone in osteoporosis?": how it comes about.
    mechanism = MECHANISM in question.concepts and entry.aspect == MECHANISM
    # An entry whose verdict answers this very yes/no question fits it best.
    verdict = lead_for(question, entry, vocabulary) == VERDICT
    # The last answer's entry is preferred, unless the question names a topic it is
    # not about ("how much calcium?", then "what about vitamin D, how much of that?").
    named = _topics(vocabulary, question.concepts)
    # "What's that kind of hair loss called?" names the kind the last answer spoke of.
    kept = entry in preferred and (
        not named or question.demonstrative or bool(vocabulary.implied(entry.subjects) & named)
    )
    # "What is osteoporosis?", then "what causes it?": a definition does not explain it.
    explains = {WHY, MECHANISM} & set(question.concepts)
    # "Other medicines?": not the entry just given; "any other vitamins?" after vitamin D:
    # nor another entry on its subject.
    again = question.other and any(
        entry == p or entry.subjects[:1] == p.subjects[:1] for p in preferred
    )
    kept = kept and not (explains and entry.aspect == DEFINITION_ASPECT) and not again
    # "What's going on inside the bone in osteoporosis?" is not answered by what it is.
    undefined = MECHANISM in question.concepts and entry.aspect == DEFINITION_ASPECT
    return (
        # Pointed at ("that kind of hair loss"), it wins over a surer classifier.
        ((2.0 if question.demonstrative else 1.0) if kept else 0.0)
        - (1.0 if again or undefined else 0.0)
        + confidence.get(entry.id, 0.0)
        + 0.6 * topic_match
        + 0.2 * part_match
        + (0.8 if definition else 0.0)
        + (0.3 if why else 0.0)
        + (0.3 if mechanism else 0.0)
        + (0.5 if verdict else 0.0)
    )


def _first_topic(vocabulary: Vocabulary, question: Question) -> str | None:
    """The topic the question names first ("what is bone remodeling in osteoporosis?")."""
    topics = _topics(vocabulary, question.concepts)
    named = sorted(
        (t for t in question.context + question.terms if t.concept in topics),
        key=lambda t: (t.position < 0, t.position),
    )
    return named[0].concept if named else None


def _span(vocabulary: Vocabulary, question: Question, missing: Iterable[str]) -> tuple[str, ...]:
    """The user's own words for the concepts not covered, neighbours joined ("gain
    weight", "breast cancer")."""
    missing = set(missing)

    def uncovered(term: Term) -> bool:
        relation = RELATION in missing and _kind(vocabulary, term.concept) == "relation"
        return term.concept in missing or relation

    terms = list(question.context + question.terms)
    chosen = [t for t in terms if uncovered(t)]
    # A plain word right beside an uncovered one belongs to its phrase ("breast cancer").
    near = {t.position for t in chosen if t.position >= 0}
    chosen += [
        t
        for t in terms
        if t not in chosen
        and t.position >= 0
        and not _kind(vocabulary, t.concept)
        and {t.position - 1, t.position + 1} & near
    ]
    # Not across a subject the article covers ("stopping HRT reverse": two spans; but
    # "cause bone breakdown" is one).
    covered = {
        t.position for t in terms if t not in chosen and _kind(vocabulary, t.concept) in TOPIC_KINDS
    }
    runs: list[list[Term]] = []
    for term in sorted(chosen, key=lambda t: t.position):
        if runs and (term.position, term.text) == (runs[-1][-1].position, runs[-1][-1].text):
            continue  # one word read as two concepts ("worse": an effect, a comparison)
        last = runs[-1][-1].position if runs else 0
        between = covered & set(range(last + 1, term.position))
        if runs and term.position >= 0 and 0 <= term.position - last <= 2 and not between:
            runs[-1].append(term)
        else:
            runs.append([term])
    # In the user's own letters ("PCOS", "Evista"), though read in lower case.
    cased = {w.lower(): w for w in re.findall(r"[^\W_]+", question.text)}
    spans = (" ".join(cased.get(w, w) for t in run for w in t.text.split()) for run in runs)
    return tuple(dict.fromkeys(spans))


def _reason(vocabulary: Vocabulary, missing: Iterable[str], default: str) -> str:
    """What was not covered, by kind: "not_covered:ask:cost", "no_subject:word"..."""
    kinds = [
        f"{_kind(vocabulary, c)}:{c}" if _kind(vocabulary, c) else "word" for c in sorted(missing)
    ]
    return f"{default}:{','.join(dict.fromkeys(kinds))}" if kinds else default


# ---- The lead line ---------------------------------------------------------------------


def lead_for(question: Question, entry: Entry, vocabulary: Vocabulary, advice: bool = False) -> str:
    """VERDICT, SUMMARY or NEUTRAL: how an answer from `entry` may open."""
    base = vocabulary.implied(entry.subjects)
    summary = _sentence_concepts(vocabulary, entry.summary) | _generalised(vocabulary, base)
    covered = _needed(vocabulary, question, question.context + question.terms) <= summary
    asked = vocabulary.implied(question.concepts)
    verdict_fits = (
        bool(entry.verdict)
        and question.yes_no
        and not question.negated
        and not advice
        and bool(asked & set(entry.subjects))
        and all(asked & set(group) for group in entry.verdict_for)
        and _relates(question, entry.verdict_for, vocabulary)
        # "Do the things that damage bones also damage hair?" asks about what they
        # share: not answered by a verdict on one causing the other.
        and (LINK not in asked or any(LINK in group for group in entry.verdict_for))
    )
    if covered and verdict_fits:
        return VERDICT
    # The summary states the entry's relation one way; asked the other way, it would
    # claim more than the question is answered with.
    reversed_ = _reversed(question, entry, vocabulary)
    return SUMMARY if covered and not advice and not reversed_ else NEUTRAL


def _places(
    terms: Iterable[Term], groups: Sequence[Sequence[str]], vocabulary: Vocabulary
) -> tuple[list[int], ...]:
    """Where `terms` name each group of a verdict's relation (a relation, then its two
    sides): their positions, per group."""
    terms = list(terms)
    return tuple(
        [t.position for t in terms if vocabulary.implied([t.concept]) & set(g) or t.concept in g]
        for g in groups
    )


def _between(before: list[int], at: int, after: list[int]) -> bool:
    return min(before, default=FAR) < at < max(after, default=-1)


def _relates(question: Question, groups: Sequence[Sequence[str]], vocabulary: Vocabulary) -> bool:
    """For a verdict on how two things relate (a relation and two more groups: "does bone
    loss cause hair loss?"), whether the question puts the relation between them, one on
    each side ("is my hair loss caused by osteoporosis?"), not before both ("do the same
    things that wreck your bones wreck your hair?", "what can hit both bone and hair?")."""
    if len(groups) < 3:
        return True
    relations, first, second = _places(question.terms, groups[:3], vocabulary)
    return any(
        _between(first, r, second) or (_between(second, r, first) and _backward(question, r))
        for r in relations
    )


def _reversed(question: Question, entry: Entry | None, vocabulary: Vocabulary) -> bool:
    """Whether the question asks the entry's relation the other way round ("does hair
    loss cause osteoporosis?" of "bone loss does not cause hair loss")."""
    groups = entry.verdict_for if entry else ()
    if len(groups) < 3 or _relates(question, groups, vocabulary):
        return False
    relations, first, second = _places(question.terms, groups[:3], vocabulary)
    return any(_between(second, r, first) for r in relations)


def _states_forward(sentence: str, groups: Sequence[Sequence[str]], vocabulary: Vocabulary) -> bool:
    """Whether a sentence states the relation one way ("bone weakening does not cause
    hair follicles to fail"), not only that there is none ("no direct mechanical
    relationship between the skeletal structure and the hair follicles")."""
    relations, first, second = _places(vocabulary.read(sentence), groups[:3], vocabulary)
    return any(_between(first, r, second) for r in relations)


def _backward(question: Question, at: int) -> bool:
    """Whether the relation word at `at` names its effect first ("is my hair loss caused
    by osteoporosis?", "due to", "linked to"), unlike "does hair loss cause osteoporosis?",
    which asks the other way round."""
    words = question.words
    return words[at + 1 : at + 2] == ("by",) or words[at : at + 2] in _BACKWARD


# ---- The decision ----------------------------------------------------------------------


def decide(
    question: Question,
    knowledge: KnowledgeBase,
    vocabulary: Vocabulary,
    index: PassageIndex,
    preferred: Sequence[Entry] = (),
    confidence: dict[str, float] | None = None,
    advice: bool = False,
    shown: Collection[str] = (),
    wider: bool = False,
) -> Decision:
    """Answer, partial answer or decline for `question`.

    Candidates are the `preferred` entries (the last answer's, for a follow-up), the
    entries the classifier ranked (`confidence`: entry id → its intent's confidence), the
    entries about the question's subjects and what retrieval ranks highest. Of those that
    cover the question, the one that best fits wins; a question that asks nothing the
    article could cover ("what is it?") gets the first preferred entry, and a message
    that asks nothing at all ("restart") gets nothing. `advice`: the user
    asked for personal advice, so no verdict and no summary of our own. `shown`: the
    sentences the last answer quoted."""
    # "Medicines other than osteoporosis drugs", "TE aside": the classifier's pick for the
    # words set aside is not what is asked (retrieval may still find a sentence of it:
    # "what holds bone together apart from calcium?" is answered by the one on protein).
    entries_by_id = knowledge.entries
    confidence = {
        entry: score
        for entry, score in (confidence or {}).items()
        if entry not in entries_by_id or not _set_aside_entry(question, entries_by_id[entry])
    }
    needed = _needed(vocabulary, question, question.terms)
    context = _needed(vocabulary, question, question.context) - needed
    if not needed | context:
        if preferred and _asks_back(question):
            entry = preferred[0]
            lead = lead_for(question, entry, vocabulary, advice)
            return Decision(ANSWER, "intent", entry, entry.quotes, lead)
        return Decision(DECLINE, NOTHING_ASKED)

    ranked = sorted(confidence, key=lambda e: -confidence[e])
    entries = [*preferred, *(knowledge.entries[e] for e in ranked if e in knowledge.entries)]
    attribution = _attribution(question, knowledge, vocabulary, needed | context)
    if attribution:
        return attribution
    words = frozenset(tokenize(" ".join(t.text for t in question.context + question.terms)))
    effects = _effects_asked(vocabulary, question)
    # "Is walking better than strength training?": the article contrasts what things
    # are ("while", "by contrast"), but never says one is better, worse or more.
    unsaid = frozenset({COMPARISON}) if _by_degree(question) else frozenset()
    differs = _asks_difference(question.words)
    naming = bool(_NAMING & set(question.words)) and DEFINITION in question.concepts
    # How common the two are together says nothing of how common one of them is ("how
    # common is hair loss in women?" is not answered by "the simultaneous appearance of
    # bone thinning and hair shedding is a common concern"); but it is all the article
    # says of how common either is among older people, of whom it says it ("is it common
    # at her age?").
    asked = _generalised(vocabulary, vocabulary.implied(needed | context))
    one_alone = (
        COMMONNESS in needed
        and not (({BONE, OSTEOPOROSIS} & asked and {HAIR, HAIR_LOSS} & asked) or LINK in needed)
        and not _of_old_age(question.text)
    )

    def cover(candidate: _Candidate) -> _Cover:
        turned = _reversed(question, candidate.entry, vocabulary)
        return _cover(
            vocabulary,
            candidate,
            needed,
            context,
            words,
            shown,
            effects,
            unsaid,
            turned,
            differs,
            naming,
            one_alone,
        )

    candidates = _candidates(question, knowledge, vocabulary, index, entries)
    covers = [cover(c) for c in candidates]
    if wider and not context and not any(not c.missing for c in covers):
        # "What helps start the growing phase?": no entry about the hair cycle, nor
        # retrieval, found the sentence on vitamin D "initiating the anagen phase"; an
        # entry with a sentence that itself says all of it does.
        tried = {c.entry.id for c in candidates if c.entry}
        covers += [
            found
            for entry in knowledge.entries.values()
            if entry.id not in tried
            and not (found := cover(_Candidate(entry, entry.sentences, "concepts"))).missing
            and found.sentence is not None
            and needed <= _sentence_concepts(vocabulary, found.sentence.text)
            and not _narrower(vocabulary, question, found.sentence.text)
        ]

    # A sentence the question echoes ("is osteoporosis a skeletal disease?") answers it
    # best, whatever the classifier ranked first.
    echoed = index.echoed(asking_part(question.text))

    # "Then why have I got both?" takes a link for granted: a sentence that denies one
    # ("does not biologically cause…") does not say why, whichever entry was last. (Not
    # a question with more to ask: "why does it matter what they share?")
    own = {t.concept for t in question.terms if t.position >= 0}
    # So does "so what connects them?", "then what links them": what the link is.
    what_links = LINK in own and _first_word(question.words) in ("what", "whats")
    asks_why = (
        (WHY in own or what_links)
        and own <= {WHY, LINK, DEFINITION, *vocabulary.concepts[BOTH_CONDITIONS].implies}
        and not question.yes_no
        and not question.negated
    )

    # "What holds bone together apart from calcium?": another subject is asked for.
    set_aside = vocabulary.implied(
        c for c in question.excluded if _kind(vocabulary, c) in TOPIC_KINDS
    )

    def names_another(sentence: Quote | None) -> bool:
        return sentence is not None and bool(
            _subjects(vocabulary, _named_concepts(vocabulary, sentence.text)) - set_aside
        )

    # The question's own subjects and conditions, with the parts of the body they imply.
    own_topics = {
        t.concept
        for t in question.terms
        if _kind(vocabulary, t.concept) in TOPIC_KINDS + CONDITION_KINDS
        and not vocabulary.is_generic(t.concept)
    }
    own_about = vocabulary.implied(own_topics) - {MEDICATION}
    asked_of = vocabulary.implied(question.concepts)
    # It asks what something is like ("is osteoporosis painful?"), not how it acts on
    # something or what it is.
    property_asked = not any(
        _kind(vocabulary, t.concept) in RELATION_KINDS + FRAME_KINDS for t in question.terms
    )

    def leans_on_another(cover: _Cover) -> bool:
        """A sentence about another subject that says nothing of the question's own
        ("is osteoporosis painful?": steroids "are prescribed to manage … chronic pain")
        covers it only through its entry's subjects: it does not answer it."""
        if cover.sentence is None or not own_topics or not property_asked:
            return False
        said = vocabulary.implied(_named_concepts(vocabulary, cover.sentence.text))
        others = _subjects(vocabulary, said - asked_of)
        if not own_about & said:
            return bool(others)
        # How common it is, said of another subject's effect ("how common is hair loss in
        # women?": bisphosphonates "have been reported to cause alopecia, although this
        # is considered a rare side effect"), is not how common it is; said of a kind of
        # what is asked about ("is hair loss from osteoporosis drugs rare?"), it is.
        return COMMONNESS in asked_of and any(
            not vocabulary.implied({s}) & own_topics for s in others
        )

    def fit(cover: _Cover) -> float:
        entry = cover.candidate.entry
        echo = ECHO_FIT if cover.sentence and cover.sentence.text in echoed else 0.0
        denies = asks_why and cover.sentence is not None and _denies(cover.sentence.text)
        # A sentence that itself says all the question asks ("Insufficient Vitamin D
        # directly compromises bone strength") beats one that leans on its entry's
        # subjects for part of it.
        says_all = cover.sentence is not None and needed <= _generalised(
            vocabulary,
            vocabulary.implied(_named_concepts(vocabulary, cover.sentence.text)),
        )
        return (
            _fit(question, vocabulary, entry, preferred, confidence)
            + 0.3 * cover.overlap
            + (SAYS_ALL_FIT if says_all else 0.0)
            + (OTHER_SUBJECT_FIT if set_aside and names_another(cover.sentence) else 0.0)
            + echo
            - (ECHO_FIT if denies else 0.0)
        )

    # An answer needs a question about something the article is about (a subject, a
    # condition, a part of the body), not only a relation ("how can I improve my memory?").
    full = [c for c in covers if not c.missing and not leans_on_another(c)]
    if full and names_something(question, vocabulary):
        return _answer(question, max(full, key=fit), vocabulary, advice)

    topics = [
        c
        for c in question.concepts
        if _kind(vocabulary, c) in TOPIC_KINDS + CONDITION_KINDS
        and any(c in e.subjects for e in knowledge.entries.values())
    ]
    about = [
        # A sentence that leans on another subject leaves out what is asked of the
        # question's own (how common it is), whatever its entry's subjects cover.
        replace(c, missing=c.missing | (needed - own_topics)) if leans_on_another(c) else c
        for c in covers
        if c.candidate.entry and set(topics) & set(c.candidate.entry.subjects)
    ]
    if not about:
        best = min(covers, key=lambda c: len(c.missing), default=None)
        missing = best.missing if best else needed | context
        return Decision(
            DECLINE,
            _reason(vocabulary, missing, "no_subject"),
            missing=tuple(sorted(missing)),
            uncovered=_span(vocabulary, question, missing),
        )
    # The entry about the question's own topic that covers most of it.
    best = min(about, key=lambda c: (len(c.missing), -fit(c)))
    topic_entry = best.candidate.entry
    assert topic_entry is not None
    return Decision(
        PARTIAL,
        _reason(vocabulary, best.missing, "not_covered"),
        topic_entry,
        _quotes(topic_entry, best.sentence),
        NEUTRAL,
        tuple(sorted(best.missing)),
        _span(vocabulary, question, best.missing | ({RELATION} if best.purpose else set()))
        or tuple(m.replace("_", " ") for m in sorted(best.missing)),
    )


def _subjects(vocabulary: Vocabulary, concepts: Iterable[str]) -> frozenset[str]:
    """The subjects among `concepts` that are not general words ("bisphosphonates", not
    "medication")."""
    return frozenset(
        c for c in concepts if _kind(vocabulary, c) in TOPIC_KINDS and not vocabulary.is_generic(c)
    )


def _set_aside_entry(question: Question, entry: Entry) -> bool:
    """Whether `entry` is about what the question sets aside, and not about what it asks."""
    subjects = set(entry.subjects)
    return bool(subjects & set(question.excluded)) and not subjects & set(question.concepts)


def off_topic(decision: Decision, question: Question, vocabulary: Vocabulary) -> Decision:
    """A decline for a message the classifier is sure has nothing to do with health (a
    sports score, a recipe) becomes OFF_TOPIC, told what the assistant covers rather than
    sent to a doctor; not when it names anything the article is about or a part of the
    body ("what's the best recipe for strong bones?")."""
    kinds = {_kind(vocabulary, c) for c in question.concepts}
    if decision.outcome != DECLINE or kinds & {*TOPIC_KINDS, *CONDITION_KINDS, *PART_KINDS}:
        return decision
    return Decision(DECLINE, OFF_TOPIC, missing=decision.missing, uncovered=decision.uncovered)


def decide_follow_up(
    own: Question,
    question: Question,
    knowledge: KnowledgeBase,
    vocabulary: Vocabulary,
    index: PassageIndex,
    preferred: Sequence[Entry] = (),
    confidence: dict[str, float] | None = None,
    advice: bool = False,
    shown: Collection[str] = (),
) -> Decision:
    """`decide` for `question`, the message `own` completed from the conversation. When
    `own` only names a new subject ("what about calcium?") and the relation asked before
    does not fit it (the article says nothing of calcium causing hair loss), it is read as
    "what does the article say about calcium?": an answer without a verdict. A kind of
    question the article does not answer for it (an amount) stays a partial answer. A
    kind of food the previous subject has none of is answered where the article names it.
    Failing an answer, a limit the user states ("I use a wheelchair, so walking is out")
    gets the article's matching content; or else an entry with a sentence that itself
    says all the question asks answers it ("what helps start the growing one?": vitamin
    D), which neither the classifier, the subjects named nor retrieval found.
    """
    decision = decide(question, knowledge, vocabulary, index, preferred, confidence, advice, shown)
    if decision.outcome == ANSWER:
        return decision
    kinds = {_kind(vocabulary, c) for c in own.concepts}
    only_subject = bool(kinds & set(TOPIC_KINDS)) and not kinds & {
        *RELATION_KINDS,
        *ASK_KINDS,
        *FRAME_KINDS,
    }
    # "I'm lactose intolerant" after a tip on vitamin D: a kind of food the article names
    # only for another subject (calcium from plant milks) is its matching content. So is
    # where a nutrient comes from in a statement of what the user cannot do ("I'm
    # housebound", "I have to avoid the sun because of skin cancer"): why, or how, they
    # cannot is theirs, not a question to the article.
    sources = [c for c in own.concepts if c in _WHERE_FROM]
    only_source = bool(sources) and (
        set(own.concepts) <= _SOURCES or (states_something(own) and not own.yes_no)
    )
    # "How much calcium?", then "what about biotin?": the article gives no amount for
    # biotin, and the reply says so. (Not "is it common?" about Fosamax, then "what about
    # steroids?": whether steroids do it too, which the article answers.)
    no_figure = not only_source and any(
        _kind(vocabulary, c) in ASK_KINDS and c != COMMONNESS for c in decision.missing
    )
    if question is not own and (only_subject or only_source) and not no_figure:
        if only_source:
            alone = (
                _where_named(own, sources, preferred, knowledge, vocabulary, index, advice, shown)
                or decision
            )
        else:
            alone = decide(own, knowledge, vocabulary, index, (), confidence, advice, shown)
        if alone.outcome == ANSWER and alone.entry is not None:
            lead = NEUTRAL if alone.lead == VERDICT else alone.lead
            return replace(alone, lead=lead, reason=f"{alone.reason}{NEW_SUBJECT}")
    if (
        decision.outcome == PARTIAL
        and decision.entry is not None
        and _states_a_limit(own)
        and all(not _kind(vocabulary, c) for c in decision.missing)
    ):
        # "I use a wheelchair, so walking is out" after an answer on exercise: what the
        # user cannot do is theirs to say, not a question; the article's matching
        # content is the answer, under a neutral lead (not "the article doesn't say
        # anything about wheelchairs", nor a verdict on them).
        return replace(
            decision, outcome=ANSWER, reason=STATED_LIMIT, lead=NEUTRAL, missing=(), uncovered=()
        )
    wider = decide(
        question, knowledge, vocabulary, index, preferred, confidence, advice, shown, wider=True
    )
    return wider if wider.outcome == ANSWER else decision


def _where_named(
    own: Question,
    sources: Sequence[str],
    preferred: Sequence[Entry],
    knowledge: KnowledgeBase,
    vocabulary: Vocabulary,
    index: PassageIndex,
    advice: bool,
    shown: Collection[str],
) -> Decision | None:
    """The answer on the first entry (the last answer's first) with a sentence that
    names all the `sources` `own` names ("I'm lactose intolerant": calcium from plant
    milks), asked of that entry's subject; failing that, with one that names the first
    of them that one does ("I'm allergic to dairy and rarely go outside")."""
    entries = [*preferred, *knowledge.entries.values()]
    for wanted in [set(sources), *({c} for c in sources)]:
        for entry in entries:
            if any(wanted <= _sentence_concepts(vocabulary, q.text) for q in entry.sentences):
                subject = Term(entry.subjects[0], entry.subjects[0].replace("_", " "), -1)
                terms = [t for t in own.context + own.terms if t.concept in wanted]
                asked = replace(own, terms=(subject, *terms), context=())
                return decide(asked, knowledge, vocabulary, index, (entry,), {}, advice, shown)
    return None


def _states_a_limit(question: Question) -> bool:
    """Whether a message states what the user cannot or will not do ("I can't walk far
    because of my knees", "running is out", "I hate gyms"), rather than asks."""
    words = question.words
    pairs = set(itertools.pairwise(words))
    # Not what they cannot give up ("I need them for my pain and can't stop", "I work two
    # jobs and can't cut back"): what the article would have them do, it has no
    # alternative to.
    giving_up = _GIVING_UP & set(words) or ("cut", "back") in pairs
    return (
        states_something(question)
        and bool(_LIMITS & set(words) or _LIMIT_PAIRS & pairs)
        and not giving_up
    )


def states_something(question: Question) -> bool:
    """Whether a message states something rather than asks ("I'm housebound most days")."""
    words = [w for w in question.words if w not in _FILLERS]
    return "?" not in question.text and not (words[:1] and words[0] in _QUESTION_WORDS)


def _answer(question: Question, cover: _Cover, vocabulary: Vocabulary, advice: bool) -> Decision:
    entry = cover.candidate.entry
    reason = f"covered:{cover.candidate.source}"
    if entry is None:
        assert cover.sentence is not None
        return Decision(ANSWER, reason, None, (cover.sentence,), NEUTRAL)
    lead = lead_for(question, entry, vocabulary, advice)
    asked = vocabulary.implied(t.concept for t in question.terms)
    quotes = _quotes(entry, cover.sentence, entry.quotes_about(question.words, asked))
    return Decision(ANSWER, reason, entry, quotes, lead)


def _quotes(
    entry: Entry, sentence: Quote | None, quotes: tuple[Quote, ...] | None = None
) -> tuple[Quote, ...]:
    """The entry's quotes (or the `quotes` chosen for the question's words), with the
    sentence that answers first when it is not among them."""
    quotes = quotes or entry.quotes
    if sentence is None or sentence in quotes:
        return quotes
    return (sentence, *quotes)


def _attribution(
    question: Question, knowledge: KnowledgeBase, vocabulary: Vocabulary, needed: frozenset[str]
) -> Decision | None:
    """Two or more drugs the article covers, named in one question, when the article
    covers for each of them what is asked of it."""
    named_drugs = {c for c in question.concepts if _is_drug(vocabulary, c)}
    drugs = [
        entry
        for entry in knowledge.entries.values()
        if entry.aspect == MEDICATION_ASPECT and named_drugs & set(entry.subjects)
    ]
    if len(drugs) < 2:
        return None
    named = {c for drug in drugs for c in drug.subjects}
    # What is asked of each drug: the effect and what it is asked of ("thins hair",
    # "causes nausea"); not the story around it ("I take prednisone for my asthma.").
    parts = {c for c in needed - named if _kind(vocabulary, c) in PART_KINDS}
    # Without a part of the body, a plain word is the effect asked ("nausea").
    plain = set() if parts else {c for c in needed - named if not _kind(vocabulary, c)}
    asked = ({RELATION} & needed | parts | plain) - {t.concept for t in question.context}
    asks = {c for c in needed if _kind(vocabulary, c) in ASK_KINDS}
    if COMMONNESS in asks:
        asks.discard(COMPARISON)  # "is it more likely X or Y that's behind it?"
    if asks - {COMMONNESS}:
        return None  # "which is cheaper", "which is safe for children": not attribution
    for drug in drugs:
        candidate = _Candidate(drug, drug.sentences, "subject")
        if _cover(vocabulary, candidate, frozenset(asked), frozenset()).missing:
            return None
    return Decision(ANSWER, ATTRIBUTION, drugs[0], drugs[0].quotes, NEUTRAL, also=tuple(drugs[1:]))


def decide_tip(
    question: Question,
    tips: Sequence[Tip],
    given: Iterable[str],
    vocabulary: Vocabulary,
    knowledge: KnowledgeBase | None = None,
) -> Decision:
    """The next tip not yet given that covers what the request names ("a tip for my
    bones", "an exercise tip"): its sentence, its focus or the subjects of the entry
    quoting it (`knowledge`) must cover it. When no tip
    covers the request, the next tip is still given, with the user's words it does not
    cover (the reply says the article has no tip about them)."""
    seen = set(given)
    # "a tip that helps my bones": the relation is what a tip is.
    needed = _needed(vocabulary, question, question.context + question.terms) - {RELATION}
    words = set(words_of(question.text))
    if "both" in words and not any(_kind(vocabulary, c) in PART_KINDS for c in needed):
        needed |= _BOTH_PARTS

    def subjects(tip: Tip) -> tuple[str, ...]:
        """The tip's focus and the subjects of the entry quoting its sentence."""
        entry = knowledge.entry_quoting(tip.quote) if knowledge else None
        return (tip.focus, *(entry.subjects if entry else ()))

    def missing(tip: Tip) -> frozenset[str]:
        about = [LIFESTYLE, *subjects(tip), *_TIP_FOCUS_ALSO.get(tip.focus, ())]
        return needed - vocabulary.implied(about) - _sentence_concepts(vocabulary, tip.quote.text)

    sources = set(question.excluded) & _SOURCES

    def set_aside(tip: Tip) -> bool:
        """Whether the tip is about what the request sets aside ("apart from calcium"):
        its subjects, not all they imply (calcium implies nutrition, which would set
        every food tip aside); for a kind of source ("besides food"), the tips whose
        sentence names it (calcium "sourced from dairy products")."""
        return bool(set(subjects(tip)) & set(question.excluded)) or any(
            sources & _sentence_concepts(vocabulary, q.text) for q in tip.quotes
        )

    fresh = [t for t in tips if t.id not in seen and not set_aside(t)]
    if "lifestyle" in words and NUTRITION not in needed:
        # The article sets "lifestyle" beside nutrition: exercise and stress come first.
        fresh.sort(key=lambda t: t.focus == NUTRITION)
    for tip in fresh:
        if not missing(tip):
            return Decision(ANSWER, TIP, None, tip.quotes, NEUTRAL, tip=tip)
    if not fresh:
        return Decision(DECLINE, NO_MORE_TIPS)
    if any(not missing(t) for t in tips):
        # Some tips covered it, and all of them have been given.
        return Decision(DECLINE, NO_MORE_TIPS_FOR, uncovered=_span(vocabulary, question, needed))
    # The tip that covers most of the request ("a supplement for my hair": biotin).
    nearest = min(fresh, key=lambda t: len(missing(t)))
    uncovered = missing(nearest)
    return Decision(
        PARTIAL,
        TIP + ":" + _reason(vocabulary, uncovered, "not_covered"),
        None,
        nearest.quotes,
        NEUTRAL,
        tuple(sorted(uncovered)),
        _span(vocabulary, question, uncovered),
        tip=nearest,
    )
