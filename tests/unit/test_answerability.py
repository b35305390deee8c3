"""The answerability decision: an answer only when the quoted sentences say what was
asked; otherwise a partial answer that says what is not covered, or a decline; and a
verdict ("Yes.", "Possibly, but rarely.") only for the question it answers."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pytest

from actions.answerability import (
    ANSWER,
    ATTRIBUTION,
    DECLINE,
    NEUTRAL,
    NO_MORE_TIPS,
    NO_MORE_TIPS_FOR,
    PARTIAL,
    SUMMARY,
    TIP,
    VERDICT,
    Decision,
    Question,
    asking_part,
    asks_for_advice,
    asks_for_other_advice,
    asks_what_was_named,
    decide,
    decide_follow_up,
    decide_tip,
    follow_up,
    read_question,
    remembered,
    with_earlier_drugs,
    with_ordinals_named,
)
from actions.concepts import Vocabulary, words_of
from actions.knowledge import KnowledgeBase, load_knowledge
from actions.retrieval import PassageIndex
from tests.conftest import PROJECT_DIR

ARTICLE_TEXT = (PROJECT_DIR / "data" / "knowledge" / "osteoporosis-and-hair-loss.md").read_text(
    "utf-8"
)


@pytest.fixture
def ask(knowledge: KnowledgeBase, vocabulary: Vocabulary, index: PassageIndex) -> Any:
    """Decide a conversation's turns in order; the decision on the last one."""

    def run(*turns: str, intent: str | None = None, advice: bool = False) -> Decision:
        previous: dict[str, Any] | None = None
        decision = Decision(DECLINE, "none")
        for text in turns:
            question = follow_up(read_question(text, vocabulary), previous, vocabulary)
            confidence = {knowledge.by_intent[intent].id: 0.9} if intent else {}
            decision = decide(question, knowledge, vocabulary, index, (), confidence, advice)
            previous = remembered(question, decision, vocabulary)
        return decision

    return run


@pytest.fixture
def after(knowledge: KnowledgeBase, vocabulary: Vocabulary, index: PassageIndex) -> Any:
    """Decide `text` as the follow-up to `before`, as the action does after a follow-up
    intent: the last answer's entry preferred and its sentences shown. The decisions on
    `before` and on `text`."""

    def run(before: str, text: str) -> tuple[Decision, Decision]:
        question = read_question(before, vocabulary)
        first = decide(question, knowledge, vocabulary, index)
        own = read_question(text, vocabulary)
        completed = follow_up(own, remembered(question, first, vocabulary), vocabulary)
        preferred = [first.entry] if first.entry else []
        shown = [q.text for q in first.quotes]
        return first, decide_follow_up(
            own, completed, knowledge, vocabulary, index, preferred, shown=shown
        )

    return run


def _entry(decision: Decision) -> str | None:
    return decision.entry.id if decision.entry else None


def _assert_answered_from(decision: Decision, entry: str | None) -> None:
    """An answer (not partial, not declined) from `entry`."""
    assert decision.outcome == ANSWER, decision
    assert _entry(decision) == entry


# ---- The near-misses of the issue: a subject the article covers, a question it does not


@pytest.mark.parametrize(
    ("question", "entry", "words"),
    [
        ("Can prednisone make you gain weight?", "glucocorticoids", "gain weight"),
        ("Does HRT cause breast cancer?", "hrt_antiestrogen", "breast cancer"),
        ("Which exercise is best for hair growth?", "exercise", "hair growth"),
        ("Is too much calcium bad for the heart?", "calcium", "heart"),
        ("How do I get tested for vitamin D deficiency?", None, "tested"),
        # How a drug is given: "given" alone only frames ("given my age, …").
        ("How is zoledronic acid given?", "bisphosphonates", "given"),
    ],
)
def test_a_covered_subject_asked_something_new_gets_a_partial_answer_naming_it(
    ask: Any, question: str, entry: str | None, words: str
) -> None:
    decision = ask(question)

    assert decision.outcome == PARTIAL
    assert decision.lead == NEUTRAL
    assert words in decision.uncovered
    assert decision.quotes, "a partial answer still quotes what the article does say"
    if entry:
        assert _entry(decision) == entry


@pytest.mark.parametrize(
    ("question", "intent", "words"),
    [
        # The article names these only as what the drug is for.
        ("do steroids cause inflammation?", "ask_glucocorticoids", "cause inflammation"),
        ("does HRT increase cancer risk?", "ask_hrt_antiestrogen", "increase cancer risk"),
        ("can Fosamax cause bone breakdown?", "ask_bisphosphonates", "cause breakdown"),
    ],
)
def test_what_a_drug_is_for_is_not_an_effect_of_it(
    ask: Any, question: str, intent: str, words: str
) -> None:
    decision = ask(question, intent=intent)

    assert decision.outcome == PARTIAL
    assert words in decision.uncovered


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        (
            "do the hormone blocking pills they give for cancer cause hair loss",
            "ask_hrt_antiestrogen",
        ),
        ("do steroids calm inflammation?", "ask_glucocorticoids"),
        ("does Fosamax slow bone breakdown?", "ask_bisphosphonates"),
    ],
)
def test_what_a_drug_is_for_is_answered_when_asked_as_its_purpose(
    ask: Any, question: str, intent: str
) -> None:
    assert ask(question, intent=intent).outcome == ANSWER


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        ("Based on my symptoms, do I have osteoporosis?", True),
        ("My hair is falling out on alendronate - should I quit it?", True),
        ("so should i stop my fosamax", True),
        ("Can I skip my anti-estrogen pill for a few weeks?", True),
        ("My doctor wants to put me on prednisone. Should I refuse it?", True),
        ("Should I go on HRT then?", True),
        # The article's general figure or advice, asked as such.
        ("how much vitamin D should I take?", False),
        ("what should I eat for healthy bones and hair", False),
        ("do I have to take calcium with food?", False),
        ("do I have to take it with food, or should I just stop it?", True),
        ("can I get enough calcium without dairy?", False),
        ("What dose of vitamin D should I personally be taking?", True),
        ("Do I personally need a calcium supplement?", True),
        ("Personally I find the article clear. How much calcium do adults need?", False),
        ("Do you think I personally have telogen effluvium?", True),
    ],
)
def test_a_request_for_personal_advice_is_told_apart(text: str, advice: bool) -> None:
    assert asks_for_advice(text) is advice


NEAR_MISSES = {
    "other_effect": [
        "does menopause cause hot flushes too",
        "is hair loss contagious",
        "Does fosamax cause jaw problems?",
        "can steroids make you gain weight",
        "does HRT give you headaches",
        "Can stress make your hair go grey?",
        # The article names osteoporosis only as what the drugs' conditions go with.
        "does HRT protect the bones?",
    ],
    "other_disease": [
        "What is alopecia areata?",
        "can thyroid problems cause hair loss",
        "Is there a link between celiac disease and osteoporosis?",
        "is osteopenia the same as osteoporosis",
        # What "that" or "it" stands for is named in the clause before.
        "I have lupus - is that why my hair is thinning?",
        "my doctor mentioned Prolia, does it help bones?",
    ],
    "other_treatment": [
        # A procedure the article never mentions.
        "Would a daily scalp massage help my hair grow back?",
        "does minoxidil work for hair loss",
        "Is swimming good for osteoporosis?",
        "does magnesium help bones",
        "are collagen supplements good for hair",
    ],
    "cost_access": [
        "how much does fosamax cost",
        "will my insurance cover osteoporosis medication",
        "where can I buy biotin",
    ],
    "statistics": [
        "what percentage of women over 50 have osteoporosis",
        "what % of men have osteoporosis?",
        "what are the odds of losing hair on steroids",
    ],
    "population": [
        "is weight bearing exercise ok for someone who's 85",
        "I'm nursing, how much vitamin D do I need?",
        "how much vitamin D should I give my toddler",
        "how much calcium do I need while pregnant",
        "can men get osteoporosis",
        "is biotin safe while breastfeeding",
        "how much vitamin D do people over 70 need",
    ],
    "tests_diagnosis": [
        "how is a DEXA scan done",
        "what blood test checks vitamin D",
        "how is osteoporosis diagnosed",
    ],
    "timing_dosing": [
        "Is zoledronic acid given once a year?",
        # "During and after menopause" says when estrogen falls, not when menopause starts.
        "At what age does menopause usually start?",
        "when do I take vitamin D?",
        "how many years should I stay on Fosamax",
        "how long does telogen effluvium last",
        "how much biotin should I take daily",
        "should I take fosamax on an empty stomach",
    ],
    "comparison": [
        "Does Fosamax work faster than HRT?",
        "My friend says Fosamax is better than HRT for bones. Is that true?",
        "calcium vs vitamin d which is better for bones",
        "almond milk or soy milk for calcium?",
        "Is HRT or Fosamax better for treating osteoporosis?",
        "which is more important for bones, calcium or vitamin D",
        "is prolia better than fosamax",
        "Is dairy or spinach the better source of calcium?",
        "HRT or anti-estrogen drugs: which one disrupts the hair cycle more?",
        "Which works better for bones, oral or IV bisphosphonates?",
        "is there a steroid that is kinder to hair?",
        "vitamin D2 or D3 - which one is better?",
    ],
    "other_effect_claimed": [
        # A tag question asks about the claim before it.
        "I read that Fosamax causes jaw problems. Is that right?",
        "steroids give me a rash, is that normal",
        # A second thing asked beside a covered one must be covered too.
        "Does Fosamax cause hair loss or jaw problems?",
    ],
    "safety_toxicity": [
        "Can weight-bearing exercise be risky for someone with fragile bones?",
        "can you overdose on vitamin D",
        "is it dangerous to take too much calcium",
        "is biotin safe with other medications",
    ],
    "unrelated": [
        # The article's "simultaneous appearance" is the two turning up together.
        "why is my hair turning grey",
        "what's the capital of australia",
        "how do I reset my wifi router",
        "whats the best way to fall asleep faster",
        "How can I improve my memory as I get older?",
        "Who played the lead in the TV show Bones?",
    ],
}


@pytest.mark.parametrize(
    "question", [pytest.param(q, id=f"{k}: {q}") for k, qs in NEAR_MISSES.items() for q in qs]
)
def test_a_question_the_article_does_not_answer_is_never_answered(ask: Any, question: str) -> None:
    decision = ask(question)

    assert decision.outcome in (PARTIAL, DECLINE), decision
    assert decision.lead != VERDICT


# ---- Questions the article answers, in the ways people ask them


@pytest.mark.parametrize(
    ("question", "entries"),
    [
        ("does osteoporsis make ur hair fall out", {"causal_link"}),
        ("can brittle bones make your hair fall out?", {"causal_link"}),
        ("What is alopecia?", {"what_is_hair_loss"}),
        ("whats osteoperosis", {"what_is_osteoporosis"}),
        ("Could you please provide a definition of osteoporosis?", {"what_is_osteoporosis"}),
        ("can fosamax make my hair fall out", {"bisphosphonates"}),
        (
            "Are there any reports linking bisphosphonates like Boniva to hair shedding?",
            {"bisphosphonates"},
        ),
        ("how much calcium do adults need", {"calcium"}),
        ("what foods have calcium in them", {"calcium"}),
        ("how much vit d a day", {"vitamin_d_dose"}),
        ("is sunlight enough for vitamin d or do i need a pill", {"vitamin_d_dose"}),
        ("does low vitamin d cause hair loss", {"vitamin_d_link"}),
        ("what is telogen effluvium", {"telogen_effluvium"}),
        ("TE hair loss - what is it?", {"telogen_effluvium"}),
        ("does estrogen drop after menopause affect bones and hair?", {"estrogen_menopause"}),
        ("why do osteoporosis and hair loss happen together", {"why_together", "causal_link"}),
        ("bones + hair both going, what do they have in common?", {"why_together"}),
        (
            "I've been on pred for 2 years for my back pain, could that be thinning my hair "
            "and my bones",
            {"glucocorticoids"},
        ),
        (
            "My mom has osteoporosis and her doctor mentioned her hormones. Can menopause "
            "really make hair thin on top?",
            {"female_pattern_hair_loss", "estrogen_menopause"},
        ),
        ("does walking help osteoporosis", {"exercise", "what_can_i_do"}),
        ("can stress make my hair shed", {"stress", "telogen_effluvium"}),
        ("is protein important for bones and hair", {"protein", "calcium"}),
        ("what can I do to keep my bones and hair healthy", {"what_can_i_do"}),
        ("osteoclast and osteoblast diffrence", {"bone_remodeling", "what_is_osteoporosis"}),
        ("osteoclast vs osteoblast whats the difference", {"bone_remodeling"}),
        ("what makes the bone-eating cells go into overdrive", {"bone_remodeling"}),
        ("where do i get calcium if i dont eat cheese or drink milk", {"calcium"}),
        ("what can we do for his bones at home", {"what_can_i_do", "exercise"}),
        ("Can I get calcium from spinach and kale type greens?", {"calcium"}),
        ("Tell me what kicks off the growth phase of hair.", {"vitamin_d_link"}),
        ("what plays a role in initiating the anagen phase?", {"vitamin_d_link"}),
        ("Can being short on vitamin D stop my hair from growing properly?", {"vitamin_d_link"}),
        ("Do those anti-inflammatory steroid tablets eat away at your bones?", {"glucocorticoids"}),
        (
            "My daughter is studying nursing and told me about osteoclasts. What do they do?",
            {"bone_remodeling"},
        ),
        ("My sister said steroids can thin your hair. Is that true?", {"glucocorticoids"}),
        (
            "I'm 52 and my hairdresser keeps commenting on my crown under her lamp. A "
            "friend said menopause can set off female pattern thinning. Is that right?",
            {"estrogen_menopause", "female_pattern_hair_loss"},
        ),
        (
            "I've got osteoporosis and thinning hair. Does iron do anything for hair?",
            {"biotin_iron"},
        ),
        ("does the menopaws thin your bones", {"estrogen_menopause"}),
        ("will my bones get thiner with osteoporosis", {"what_is_osteoporosis"}),
        ("What should I be eating for my bones?", {"what_can_i_do", "calcium", "protein"}),
        # "The tablet" is the drug the story names.
        (
            "I'm on letrozole since my breast cancer. My hair is thin now. Could the tablet "
            "be doing it?",
            {"hrt_antiestrogen"},
        ),
        ("what is hair made of?", {"what_can_i_do", "protein", "calcium"}),
        # An alternative said as a clause that names nothing the article is about.
        ("is calcium important for bones or is it just a milk advert thing", {"calcium"}),
        ("does stress affect hair, or am I imagining things?", {"stress", "telogen_effluvium"}),
        ("tamoxifen and thinning hair, is that a thing", {"hrt_antiestrogen"}),
        ("are supplements really needed or can food do it all", {"what_can_i_do"}),
        (
            "My parting has got wider and my sister keeps saying it's alopecia. What does "
            "alopecia actually mean?",
            {"what_is_hair_loss"},
        ),
        (
            "everyone online says AGA, TE etc... so what is alopecia in general?",
            {"what_is_hair_loss"},
        ),
        (
            "been on pred for ages for my joints, is that what's thinning my hair and my bones",
            {"glucocorticoids"},
        ),
        # Helping a condition is what a drug treats: what they are prescribed for.
        ("do steroids help with inflammation?", {"glucocorticoids"}),
        ("Does having estrogen around actually keep your bones safe?", {"estrogen_menopause"}),
        ("When does the decline in estrogen happen?", {"estrogen_menopause"}),
        # Breaking bone down faster than building it is the article's "outpace", not a
        # comparison it never makes.
        ("What happens when bone breakdown is faster than bone building?", {"bone_remodeling"}),
        (
            "what happens if the bone eating cells go faster than the bone building ones",
            {"bone_remodeling"},
        ),
        # Risky for a condition: a risk factor (not whether it is safe for someone).
        (
            "I'm wondering whether long-term steroid use is risky for bone loss.",
            {"glucocorticoids"},
        ),
        # Lay words: a sport is exercise, a short time is temporary, a root is a cause,
        # the bad guy is what does harm, the best way to get a nutrient is its source.
        ("Which sport is good for make the bones strong?", {"exercise"}),
        ("Telogen effluvium is what, hair falling for short time?", {"telogen_effluvium"}),
        (
            "I was wondering if there's some common root behind my thinning bones and my "
            "thinning hair.",
            {"why_together"},
        ),
        ("osteoblast vs osteoclast which one is the bad guy", {"bone_remodeling"}),
        ("best way to get calcium in my diet", {"calcium"}),
        ("Sun is giving vitamin D, or I must take pill?", {"vitamin_d_dose"}),
        # Starting the growth phase is what vitamin D plays a role in initiating.
        ("What starts the growth phase of hair?", {"vitamin_d_link"}),
        ("I was wondering if lowering my stress could help with hair shedding.", {"stress"}),
        ("Are there VDRs (vit D receptors) in hair follicles?", {"vitamin_d_link"}),
        ("The sun is giving vitamin D or I need the pills?", {"vitamin_d_dose"}),
        # "For good bones" is good for them, not "for good" (for ever).
        ("What I can do in my life for good bones and good hair together?", {"what_can_i_do"}),
    ],
)
def test_a_question_the_article_answers_is_answered_from_its_entry(
    ask: Any, question: str, entries: set[str]
) -> None:
    decision = ask(question)

    assert decision.outcome == ANSWER, decision
    assert _entry(decision) in entries


def test_a_lone_sentence_that_covers_the_question_answers_it(ask: Any) -> None:
    decision = ask("are hair follicles like little organs in the skin?")

    assert decision.outcome == ANSWER
    assert any("mini-organs" in q.text for q in decision.quotes)


# ---- Lead lines belong to their question


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("Does osteoporosis cause hair loss?", VERDICT),
        ("Is there a link between osteoporosis and hair loss?", SUMMARY),
        # A negated question would turn "No." upside down.
        ("Doesn't osteoporosis cause hair loss?", SUMMARY),
        ("Can Fosamax cause hair loss?", VERDICT),
        ("What are bisphosphonates used for?", NEUTRAL),
        ("Do steroids cause bone loss?", VERDICT),
        ("Are steroids prescribed for chronic pain?", NEUTRAL),
        # Falling estrogen drives bone loss; estrogen itself protects bone.
        ("Does estrogen cause bone loss?", SUMMARY),
        ("Does menopause cause hair loss?", VERDICT),
        ("how much calcium do adults need", SUMMARY),
    ],
)
def test_a_verdict_opens_only_the_question_it_answers(ask: Any, question: str, lead: str) -> None:
    decision = ask(question)

    assert decision.outcome == ANSWER
    assert decision.lead == lead


@pytest.mark.parametrize(
    "question",
    [
        "Do the same things that wreck your bones also wreck your hair?",
        "Could you explain what underlying issues can hit both the skeleton and the hair?",
    ],
)
def test_no_verdict_where_the_relation_is_not_between_the_two_things(
    ask: Any, question: str
) -> None:
    # "No." answers "does bone loss cause hair loss?", not "what harms both?"
    assert ask(question).lead != VERDICT


@pytest.mark.parametrize(
    "question",
    [
        "I'm pregnant. How much calcium do I need?",
        "I'm 15. How much vitamin D should I take?",
        "My daughter is 9 years old. How much calcium does she need?",
    ],
)
def test_a_child_or_a_pregnancy_in_the_story_is_part_of_the_question(
    ask: Any, question: str
) -> None:
    decision = ask(question)

    assert decision.outcome == PARTIAL, decision
    assert set(decision.missing) & {"pregnancy", "children"}


@pytest.mark.parametrize(
    "question",
    [
        "Could the steroids I take for my back pain be linked to my bone loss?",
        "I've been on pred for 2 years for my back pain, could that thin my hair and bones",
        "steroids for chronic pain - risk to bones?",
        "Can the steroid pills I take for pain make my bones weaker?",
        "Could the hormone pills I take for menopause be thinning my hair?",
        "My kids tease me that I drink more milk than they do. Is calcium important for bones?",
    ],
)
def test_what_a_drug_is_taken_for_and_who_else_is_mentioned_are_not_asked(
    ask: Any, question: str
) -> None:
    assert ask(question).outcome == ANSWER


def test_a_story_before_a_question_about_habits_asks_for_the_general_advice(ask: Any) -> None:
    decision = ask(
        "I'm 55, recently menopausal, with a thinning crown. What everyday habits could help?"
    )

    _assert_answered_from(decision, "what_can_i_do")


@pytest.mark.parametrize(
    ("question", "lifestyle"),
    [
        ("What lifestyle changes help both bones and hair?", True),
        ("What I can do in my daily life for my bones and my hair together?", True),
        ("Are there habits that benefit bone and hair alike?", True),
        # The whole approach: diet first, as the article has it.
        ("What can I do for my bones and hair?", False),
        ("Which lifestyle and diet changes help bones and hair?", False),
    ],
)
def test_a_question_about_lifestyle_alone_is_shown_the_lifestyle_sentences(
    ask: Any, question: str, lifestyle: bool
) -> None:
    decision = ask(question)
    quoted = " ".join(q.text for q in decision.quotes)

    assert _entry(decision) == "what_can_i_do"
    assert ("Weight-bearing exercise" in quoted) is lifestyle
    assert ("Effective stress management" in quoted) is lifestyle
    assert ("Adequate intake of calcium and protein" in quoted) is not lifestyle


@pytest.mark.parametrize(
    ("question", "entry", "first", "also"),
    [
        (
            "r bones and hair follicles connected",
            "causal_link",
            "There is no direct mechanical relationship",
            "The physical process of bone weakening",
        ),
        (
            "Does osteoporosis cause hair loss?",
            "causal_link",
            "The physical process of bone weakening",
            "There is no established biological pathway",
        ),
        (
            "What are the shared systemic factors for bone and hair problems?",
            "why_together",
            "The primary reason",
            "Chronic inflammation provides a third common pathway",
        ),
    ],
)
def test_a_question_in_an_entrys_special_words_is_shown_the_sentences_for_them(
    ask: Any, question: str, entry: str, first: str, also: str
) -> None:
    decision = ask(question)

    assert _entry(decision) == entry
    assert decision.quotes[0].text.startswith(first)
    assert any(q.text.startswith(also) for q in decision.quotes)


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("Does osteoporosis cause hair loss?", True),
        ("is my hair loss caused by osteoporosis?", True),
        ("is my hair loss due to osteoporosis?", True),
        # The article says bone loss does not cause hair loss, not the other way round.
        ("Does hair loss cause osteoporosis?", False),
        ("can losing your hair lead to osteoporosis?", False),
    ],
)
def test_a_verdict_on_a_cause_only_answers_it_asked_in_the_articles_direction(
    ask: Any, question: str, verdict: bool
) -> None:
    decision = ask(question, intent="ask_causal_link")

    assert decision.outcome == ANSWER
    assert (decision.lead == VERDICT) is verdict


@pytest.mark.parametrize(
    "question",
    [
        "I was told at 50. Is my hair loss caused by osteoporosis?",
        # A tag question's terms come from the claim before it.
        "My friend says hair loss is caused by weak bones. Is that true?",
        # A "which" question's terms come with the clause before it.
        "vitamin D2 or D3 - which one should I get?",
    ],
)
def test_a_terms_position_points_at_its_words(vocabulary: Vocabulary, question: str) -> None:
    read = read_question(question, vocabulary)

    assert read.terms
    for term in read.terms:
        words = tuple(words_of(term.text))
        assert read.words[term.position : term.position + len(words)] == words


def test_the_part_of_the_body_defined_is_what_a_follow_up_points_back_to(ask: Any) -> None:
    decision = ask(
        "what is a hair follicle?", "what controls them?", intent="ask_hair_growth_cycle"
    )

    assert decision.outcome == ANSWER
    assert decision.quotes[0].text.startswith("Hair follicles are complex, mini-organs")


def test_a_way_of_relaxing_the_article_never_names_is_not_stress_management(ask: Any) -> None:
    decision = ask("can stress make your hair fall out?", "does meditation help?")

    assert decision.outcome == PARTIAL
    assert decision.uncovered == ("meditation",)


@pytest.mark.parametrize(
    "turns",
    [
        ("is hair loss worse than osteoporosis?",),
        ("Is osteoporosis or hair loss more common in older adults?",),
        # "It" is walking, compared with strength training.
        ("is walking good for osteoporosis", "is it better than strength training?"),
        # Equal in degree is a degree too.
        ("Is oat milk as good as cow's milk for calcium?",),
        ("is walking as effective as lifting weights for my bones?",),
    ],
)
def test_a_comparison_by_degree_is_not_answered_by_a_contrast(
    ask: Any, turns: tuple[str, ...]
) -> None:
    decision = ask(*turns)

    assert decision.outcome == PARTIAL
    assert "comparison" in decision.missing


@pytest.mark.parametrize(
    "question",
    [
        "Is hair loss counted as a skin problem rather than a bone problem?",
        "Is losing hair more about the hair's growing cycle being disrupted than anything else?",
    ],
)
def test_a_contrast_of_what_things_are_is_answered(ask: Any, question: str) -> None:
    assert ask(question).outcome == ANSWER


@pytest.mark.parametrize(
    ("question", "intent", "quote"),
    [
        (
            "Is osteoporosis a skeletal disease?",
            "ask_what_is_osteoporosis",
            "Osteoporosis is a skeletal disease, while most forms of alopecia",
        ),
        (
            "What is the third common pathway linking bone and hair problems?",
            "ask_why_together",
            "Chronic inflammation provides a third common pathway",
        ),
        # A question on how two things differ: the sentence that contrasts them.
        (
            "how does osteoporosis differ from hair loss?",
            "ask_causal_link",
            "Osteoporosis is a skeletal disease, while most forms of alopecia",
        ),
        # Saying they are different is not asking how: no contrast put first.
        (
            "I'm curious why understanding shared causes matters when bones and hair are so "
            "different.",
            "ask_why_together",
            "There is no direct mechanical relationship",
        ),
    ],
)
def test_the_sentence_that_answers_is_quoted_first_whatever_the_classifier_ranked(
    ask: Any, question: str, intent: str, quote: str
) -> None:
    decision = ask(question, intent=intent)

    assert decision.outcome == ANSWER
    assert decision.quotes[0].text.startswith(quote)


@pytest.mark.parametrize(
    "question", ["Does hair loss cause osteoporosis?", "can losing your hair lead to osteoporosis?"]
)
def test_a_cause_asked_the_other_way_round_is_answered_without_the_one_way_sentence_first(
    ask: Any, question: str
) -> None:
    decision = ask(question, intent="ask_causal_link")

    assert decision.outcome == ANSWER
    assert decision.lead == NEUTRAL  # the summary says bone loss does not cause hair loss
    assert decision.quotes[0].text.startswith("Osteoporosis is a skeletal disease, while")


def test_whom_a_drug_is_for_is_asked(ask: Any) -> None:
    decision = ask("does hormone therapy for transgender people affect bone density")

    assert decision.outcome in (PARTIAL, DECLINE)


def test_personal_advice_gets_no_verdict_and_no_summary_of_ours(ask: Any) -> None:
    decision = ask("should I stop fosamax if it makes my hair fall out", advice=True)

    assert decision.outcome == ANSWER
    assert decision.lead == NEUTRAL


# Effects, groups of people and quantities that the article never mentions (checked
# below), asked of each entry that has a verdict: none of them may get it.
UNSAID_EFFECTS = [
    "weight gain",
    "headaches",
    "insomnia",
    "nausea",
    "acne",
    "kidney stones",
    "high blood pressure",
    "memory problems",
    "dizziness",
    "tooth decay",
]
UNSAID_GROUPS = ["children", "teenagers", "pregnant women", "breastfeeding mothers", "toddlers"]
UNSAID_QUANTITIES = [
    "What dose of {s} is safe?",
    "How many years can you keep up {s}?",
    "How often is {s} needed?",
    "How much does {s} cost?",
]


def _verdict_questions(knowledge: KnowledgeBase) -> list[Any]:
    cases = []
    for entry in knowledge.entries.values():
        if not entry.verdict:
            continue
        subject = entry.subjects[0].replace("_", " ")
        asked = [f"Can {subject} cause {effect}?" for effect in UNSAID_EFFECTS]
        asked += [f"Does {subject} cause hair loss in {group}?" for group in UNSAID_GROUPS]
        asked += [template.format(s=subject) for template in UNSAID_QUANTITIES]
        cases += [pytest.param(entry.id, q, id=f"{entry.id}: {q}") for q in asked]
    return cases


def test_the_generated_effects_and_groups_are_not_the_articles() -> None:
    text = ARTICLE_TEXT.lower()

    assert [w for w in UNSAID_EFFECTS + UNSAID_GROUPS if w in text] == []


@pytest.mark.parametrize(("entry_id", "question"), _verdict_questions(load_knowledge()))
def test_no_verdict_for_what_the_article_never_says_of_a_subject(
    knowledge: KnowledgeBase,
    vocabulary: Vocabulary,
    index: PassageIndex,
    entry_id: str,
    question: str,
) -> None:
    # Even when the classifier is sure it is that entry's question.
    decision = decide(
        read_question(question, vocabulary), knowledge, vocabulary, index, (), {entry_id: 0.99}
    )

    assert decision.lead != VERDICT
    assert decision.outcome in (PARTIAL, DECLINE), decision


# ---- Conversations


@pytest.mark.parametrize(
    ("turns", "entry", "lead"),
    [
        (("can fosamax make my hair fall out", "what about steroids?"), "glucocorticoids", VERDICT),
        (("can steroids make my hair fall out", "and the bones?"), "glucocorticoids", VERDICT),
        (("what is telogen effluvium", "is it permanent?"), "telogen_effluvium", SUMMARY),
        (("how much calcium do adults need", "what foods have it?"), "calcium", SUMMARY),
        (("does low vitamin d cause hair loss", "how much per day?"), "vitamin_d_dose", SUMMARY),
        (
            ("does low vitamin d cause hair loss", "can i just get it from the sun instead"),
            "vitamin_d_dose",
            NEUTRAL,
        ),
        (("what is osteoporosis", "why does it happen?"), None, None),
        # A pronoun for the topic; the new condition is what is asked about it.
        (("what is osteoporosis", "does it cause hair loss?"), "causal_link", VERDICT),
        # A new condition replaces the outcome, not the subject; a condition that is a
        # cause itself replaces the subject.
        (("can low vitamin d cause osteoporosis?", "and hair loss?"), "vitamin_d_link", None),
        (("does stress affect hair?", "what about inflammation?"), "inflammation", None),
        # A new subject with its own question, even after a comma.
        (
            ("how much calcium do adults need", "what about vitamin D, how much?"),
            "vitamin_d_dose",
            None,
        ),
        (
            (
                "could steroids have weakened my dad's bones?",
                "his hair's thinning too, same cause?",
            ),
            "glucocorticoids",
            None,
        ),
        # A definition does not say what causes it: the entry on how bone is lost does.
        (("what is osteoporosis", "what causes it?"), "bone_remodeling", None),
        # What only framed the question before ("a grown adult") is not asked again.
        (
            ("how much calcium should a grown adult get each day", "and vit D?"),
            "vitamin_d_dose",
            None,
        ),
        # "It" is the subject named first, not both subjects of the question before.
        (
            ("How does vitamin D help with calcium?", "how much of it should I take?"),
            "vitamin_d_dose",
            SUMMARY,
        ),
        # A link with one side named: the other side is what was talked about before.
        (("what is osteoporosis", "her hair's thinning too - connected?"), "why_together", None),
        # "Other medicines?": the article's other medicines, not the one just given.
        (("can fosamax thin hair?", "other medicines?"), "glucocorticoids", None),
        # "What else counts?" names nothing new: more of the same entry.
        (
            ("Is walking good for osteoporosis?", "I've got dodgy knees. what else counts?"),
            "exercise",
            None,
        ),
        # "Why does that happen?" asks why of all of it: the outcome stays.
        (("does the menopause weaken bones?", "why does that happen?"), "estrogen_menopause", None),
        # What holds bone-resorbing cells back: estrogen, "inhibiting osteoclast activity".
        (("what do osteoclasts do", "what holds them back?"), "bone_remodeling", None),
        # "It" after a question word is the subject too: what vitamin D does to hair
        # growth, not what hair growth is.
        (
            ("Can low vitamin D cause hair loss?", "how does it affect hair growth?"),
            "vitamin_d_link",
            None,
        ),
    ],
)
def test_a_follow_up_leans_on_the_question_before_it(
    ask: Any, turns: Sequence[str], entry: str | None, lead: str | None
) -> None:
    decision = ask(*turns)

    assert decision.outcome == ANSWER
    if entry:
        assert _entry(decision) == entry
    if lead:
        assert decision.lead == lead


@pytest.mark.parametrize(
    ("turns", "quoted"),
    [
        # A question word with something of its own to ask asks a new question about the
        # topic: not the amount asked before.
        (
            ("How much calcium do adults need?", "What helps me absorb it?"),
            "facilitates the absorption of calcium",
        ),
        # "Which phase does it…": "it" is the subject, "which phase" what is asked.
        (
            ("What's the link between vitamin D and hair?", "Which phase does it help start?"),
            "initiating the anagen",
        ),
        # "It" is the cause named first, not the condition it was asked to cause.
        (
            ("Does inflammation cause telogen effluvium?", "Can it also worsen bones?"),
            "accelerate bone resorption",
        ),
    ],
)
def test_a_follow_up_with_a_question_of_its_own_gets_the_sentence_that_answers_it(
    ask: Any, turns: Sequence[str], quoted: str
) -> None:
    decision = ask(*turns)

    assert decision.outcome == ANSWER
    assert any(quoted in q.text for q in decision.quotes), [q.text for q in decision.quotes]


@pytest.mark.parametrize(
    "question",
    [
        "if one doesn't cause the other, how come they turn up together so much?",
        "why do they happen together?",
    ],
)
def test_an_opening_question_about_how_they_go_together_is_about_the_two_conditions(
    ask: Any, question: str
) -> None:
    decision = ask(question)

    _assert_answered_from(decision, "why_together")


@pytest.mark.parametrize("before", ["what is osteoporosis", "What is alopecia?"])
def test_they_linked_after_one_condition_are_the_two_conditions(ask: Any, before: str) -> None:
    decision = ask(before, "are they connected?")

    assert decision.outcome == ANSWER
    assert _entry(decision) in {"causal_link", "why_together"}


@pytest.mark.parametrize("why", ["then why have I got both?", "so why do I have both?"])
def test_why_both_after_no_direct_cause_gets_the_reason_not_the_denial_again(
    knowledge: KnowledgeBase, vocabulary: Vocabulary, index: PassageIndex, why: str
) -> None:
    previous = read_question("Does osteoporosis cause hair loss?", vocabulary).record()
    question = follow_up(read_question(why, vocabulary), previous, vocabulary)
    # The entry just given is preferred, as in a conversation.
    decision = decide(question, knowledge, vocabulary, index, [knowledge.entries["causal_link"]])

    _assert_answered_from(decision, "why_together")
    assert "The primary reason" in decision.quotes[0].text


def test_they_without_a_link_is_still_unknown_in_an_opening_question(ask: Any) -> None:
    assert ask("are they permanent?").outcome == DECLINE


def test_a_constraint_keeps_the_figure_asked_for_the_next_subject(ask: Any) -> None:
    # "How much calcium?", "I'm vegan though", "and vitamin D?": still how much.
    vegan = ask("how much calcium should i be getting", "I'm vegan though")
    decision = ask("how much calcium should i be getting", "I'm vegan though", "and vitamin d?")

    assert vegan.outcome == ANSWER
    assert any("fortified plant milks" in q.text for q in vegan.quotes)
    assert decision.outcome == ANSWER
    assert any("600–800 International Units" in q.text for q in decision.quotes)


@pytest.mark.parametrize("follow", ["how can I reduce it", "how do i bring it down"])
def test_how_to_bring_down_what_was_asked_about_gets_the_sentence_on_addressing_it(
    ask: Any, follow: str
) -> None:
    decision = ask("can inflammation cause osteoporosis", follow)

    assert decision.outcome == ANSWER
    assert any(
        q.text.startswith("Addressing this underlying inflammatory") for q in decision.quotes
    )


@pytest.mark.parametrize(
    ("turns", "words"),
    [
        (("what is telogen effluvium", "does it also affect sleep?"), "sleep"),
        (("what are bisphosphonates", "do they cause jaw problems?"), "jaw"),
        (("does menopause cause hair loss", "what about in men?"), "men"),
        (("is hair loss a skin condition", "is it catching?"), "catching"),
        (
            (
                "does osteoporosis make your hair fall out",
                "will my hair grow back once my bones are treated",
            ),
            "hair grow back",
        ),
        (("how much calcium do adults need", "I'm lactose intolerant"), None),
    ],
)
def test_a_follow_up_about_something_uncovered_gets_a_partial_answer(
    ask: Any, turns: Sequence[str], words: str | None
) -> None:
    decision = ask(*turns)

    if words:
        assert decision.outcome == PARTIAL
        assert words in decision.uncovered
    else:  # the article's non-dairy sources are the matching content
        assert decision.outcome in (ANSWER, PARTIAL)
        assert any("plant milks" in q.text for q in decision.quotes)


def test_a_constraint_after_a_question_about_parts_of_the_body_keeps_them(ask: Any) -> None:
    decision = ask("what can I eat to help both bones and hair?", "I don't eat dairy")

    assert decision.outcome == ANSWER
    assert any("plant milks" in q.text for q in decision.quotes)


@pytest.mark.parametrize(
    ("turns", "quoted"),
    [
        (
            ("I have osteoporosis and thin hair, what should I do?", "I can't eat dairy"),
            "plant milks",
        ),
        (
            ("I have osteoporosis and thin hair, what should I do?", "I rarely get out in the sun"),
            "require a supplement",
        ),
        # The second constraint replaces the first: no sentence names both.
        (
            (
                "what should I do for my bones?",
                "I can't eat dairy",
                "I also can't get out in the sun",
            ),
            "require a supplement",
        ),
        # "what else can I do?" named no subject; the lifestyle entry answered it.
        (("what else can I do for my bones?", "I'm lactose intolerant though"), "plant milks"),
    ],
)
def test_a_constraint_after_what_to_do_finds_the_advice_it_bears_on(
    ask: Any, turns: Sequence[str], quoted: str
) -> None:
    decision = ask(*turns)

    assert decision.outcome == ANSWER
    assert quoted in decision.quotes[0].text


@pytest.mark.parametrize(
    "question", ["Do vegans get osteoporosis more often?", "Do vegetarians have weaker bones?"]
)
def test_a_diet_group_is_a_population_the_article_does_not_address(ask: Any, question: str) -> None:
    assert ask(question).outcome == PARTIAL


def test_a_follow_up_to_a_question_without_a_subject_leans_on_the_entry_that_answered(
    ask: Any,
) -> None:
    decision = ask(
        "What does the hair's keratin structure need?", "I don't eat meat", intent="ask_protein"
    )

    assert decision.outcome == PARTIAL
    assert _entry(decision) == "protein"
    assert "meat" in decision.uncovered


def test_what_else_for_parts_of_the_body_leaves_the_last_subject(ask: Any) -> None:
    decision = ask("does biotin help with hair loss?", "what else helps hair and bones?")

    assert decision.outcome == ANSWER
    assert _entry(decision) != "biotin_iron"


def test_a_new_subject_for_an_amount_the_article_lacks_stays_partial(
    knowledge: KnowledgeBase, vocabulary: Vocabulary, index: PassageIndex
) -> None:
    first = read_question("how much calcium do adults need?", vocabulary)
    record = first.record(decide(first, knowledge, vocabulary, index).missing)
    own = read_question("what about biotin?", vocabulary)

    decision = decide_follow_up(
        own, follow_up(own, record, vocabulary), knowledge, vocabulary, index
    )

    assert decision.outcome == PARTIAL
    assert "amount" in decision.missing


def test_what_the_article_did_not_cover_is_not_carried_into_the_next_question(ask: Any) -> None:
    decision = ask("how much vitamin D for adults", "what about kids?", "and calcium?")

    _assert_answered_from(decision, "calcium")


@pytest.mark.parametrize("message", ["restart", "hmm ok", "/stop"])
def test_a_message_that_asks_nothing_is_not_answered_from_the_last_entry(
    ask: Any, message: str
) -> None:
    decision = ask("does osteoporosis cause hair loss?", message)

    assert decision.outcome == DECLINE


def test_a_question_without_context_or_subject_asks_nothing(ask: Any) -> None:
    assert ask("why is that?").outcome == DECLINE


@pytest.mark.parametrize(
    "question",
    [
        "I'm on Fosamax and prednisone and my hair is falling out, which one is causing it?",
        "which is thinning my hair, the HRT or the alendronate",
        # Which is more likely behind it: still which one.
        "Is it more likely my bisphosphonate or my hormone therapy that's behind the shedding?",
        # What she wants it for ("so she can ask about stopping it") is not asked.
        "My mum is on steroid tablets and an anti-estrogen. Her hair is thinning and she wants"
        " to know which tablet is to blame so she can ask about stopping it.",
    ],
)
def test_two_drugs_in_one_question_get_each_ones_information(ask: Any, question: str) -> None:
    decision = ask(question)

    assert decision.reason == ATTRIBUTION
    assert len({_entry(decision), *(e.id for e in decision.also)}) == 2


def test_a_second_drug_named_with_also_keeps_the_first(ask: Any) -> None:
    decision = ask(
        "do steroids cause hair loss", "I'm also on Fosamax, so which one is making my hair thin?"
    )

    assert decision.reason == ATTRIBUTION
    assert {_entry(decision), *(e.id for e in decision.also)} == {
        "glucocorticoids",
        "bisphosphonates",
    }


def test_which_one_after_two_drugs_were_discussed_is_an_attribution(
    ask: Any, knowledge: KnowledgeBase, vocabulary: Vocabulary, index: PassageIndex
) -> None:
    previous = read_question("What about steroids?", vocabulary).record()
    question = follow_up(
        read_question("I take both. Which one is it?", vocabulary), previous, vocabulary
    )
    question = with_earlier_drugs(
        question, lambda: ["glucocorticoids", "bisphosphonates"], vocabulary
    )
    decision = decide(question, knowledge, vocabulary, index)

    assert decision.reason == ATTRIBUTION
    assert decision.lead != VERDICT
    assert {decision.entry.id, *(e.id for e in decision.also)} == {
        "glucocorticoids",
        "bisphosphonates",
    }


def test_what_about_a_new_drug_still_asks_the_question_before_it(ask: Any) -> None:
    assert ask("Can Fosamax cause hair loss?", "What about steroids?").lead == VERDICT
    assert ask("Can Fosamax cause hair loss?", "Which steroids?").lead != VERDICT


def test_comparing_two_drugs_is_not_an_attribution(ask: Any) -> None:
    decision = ask("Which causes more hair loss, HRT or steroids?")

    assert decision.reason != ATTRIBUTION
    assert decision.outcome in (PARTIAL, DECLINE)


# ---- Reading the question


def test_a_story_before_the_question_is_context_not_what_is_asked(
    vocabulary: Vocabulary,
) -> None:
    question = read_question(
        "I've been on prednisone for a year for my asthma, could that thin my hair?", vocabulary
    )

    assert "glucocorticoids" in {t.concept for t in question.context}
    assert "asthma" not in question.concepts
    assert question.yes_no


def test_a_question_with_its_own_subject_and_part_leaves_the_storys_parts_aside(
    ask: Any,
) -> None:
    decision = ask(
        "My hairdresser told me to take biotin because my hair is so brittle. I'm already "
        "on calcium for my bones. Is biotin actually useful for hair?"
    )

    _assert_answered_from(decision, "biotin_iron")


@pytest.mark.parametrize(
    ("text", "yes_no", "negated", "refers_back"),
    [
        ("does fosamax cause hair loss?", True, False, False),
        ("doesn't fosamax cause hair loss?", True, True, False),
        ("what is alopecia", False, False, False),
        ("is it permanent?", True, False, True),
        ("what about steroids?", False, False, True),
    ],
)
def test_question_form_is_read(
    vocabulary: Vocabulary, text: str, yes_no: bool, negated: bool, refers_back: bool
) -> None:
    question = read_question(text, vocabulary)

    assert (question.yes_no, question.negated, question.refers_back) == (
        yes_no,
        negated,
        refers_back,
    )


def test_records_are_plain_data_for_the_tracker(ask: Any, vocabulary: Vocabulary) -> None:
    decision = ask("Does HRT cause breast cancer?")
    question = read_question("Does HRT cause breast cancer?", vocabulary)

    assert decision.record() == {
        "outcome": PARTIAL,
        "reason": decision.reason,
        "entry": "hrt_antiestrogen",
        "uncovered": ["breast cancer"],
    }
    assert decision.reason.startswith("not_covered")
    kept = question.record(decision.missing)["concepts"]
    assert "hrt" in kept
    assert not set(decision.missing) & set(kept)


def test_a_question_record_survives_a_round_trip(vocabulary: Vocabulary) -> None:
    question = read_question("can steroids thin my hair?", vocabulary)
    followed = follow_up(read_question("and the bones?", vocabulary), question.record(), vocabulary)

    assert isinstance(followed, Question)
    assert {"glucocorticoids", "bone"} <= set(followed.concepts)
    assert "hair_loss" not in followed.concepts


# ---- Tips


@pytest.mark.parametrize(
    ("request_text", "tip"),
    [
        ("give me a tip", "tip_calcium"),
        ("a tip for exercise", "tip_exercise"),
        ("any tips on stress?", "tip_stress"),
        ("a food tip please", "tip_calcium"),
    ],
)
def test_a_tip_covers_what_the_request_names(
    knowledge: KnowledgeBase, vocabulary: Vocabulary, request_text: str, tip: str
) -> None:
    decision = decide_tip(read_question(request_text, vocabulary), knowledge.tips, (), vocabulary)

    assert decision.reason == TIP
    assert decision.tip is not None and decision.tip.id == tip


@pytest.mark.parametrize(
    ("request_text", "tips"),
    [
        # "Both" is bones and hair: not the calcium tip, which is about bone alone.
        ("anything else that helps both?", {"tip_protein", "tip_vitamin_d", "tip_stress"}),
        # The article sets lifestyle beside nutrition: exercise and stress first.
        ("any other lifestyle change?", {"tip_exercise", "tip_stress"}),
        ("what lifestyle things help?", {"tip_exercise", "tip_stress"}),
    ],
)
def test_a_tip_for_both_or_for_lifestyle_is_one_the_article_says_so_of(
    knowledge: KnowledgeBase, vocabulary: Vocabulary, request_text: str, tips: set[str]
) -> None:
    question = read_question(request_text, vocabulary)
    decision = decide_tip(question, knowledge.tips, (), vocabulary, knowledge)

    assert decision.tip is not None
    assert decision.tip.id in tips


def test_a_tip_that_covers_only_part_of_the_request_is_the_one_that_covers_most(
    knowledge: KnowledgeBase, vocabulary: Vocabulary
) -> None:
    # No tip is about supplements for hair; the vitamin D one was given. Of the rest,
    # one about hair, not the calcium tip, which covers neither.
    question = read_question("any other supplement worth considering for my hair?", vocabulary)
    decision = decide_tip(question, knowledge.tips, ("tip_vitamin_d",), vocabulary, knowledge)

    assert decision.outcome == PARTIAL
    assert decision.tip is not None
    assert decision.tip.id in {"tip_protein", "tip_biotin_iron"}
    assert decision.uncovered == ("supplement",)


def test_asked_again_the_sentence_just_shown_gives_way_to_one_that_says_as_much(
    knowledge: KnowledgeBase, vocabulary: Vocabulary, index: PassageIndex
) -> None:
    question = read_question("does osteoporosis cause hair loss?", vocabulary)
    first = decide(question, knowledge, vocabulary, index)
    again = decide(
        question, knowledge, vocabulary, index, (first.entry,), shown=[first.quotes[0].text]
    )

    assert again.entry == first.entry
    assert again.quotes[0] != first.quotes[0]
    assert first.quotes[0] in again.quotes  # still quoted, after the new one


def test_a_reason_after_the_question_is_not_asked(ask: Any) -> None:
    decision = ask(
        "She takes Arimidex. Can the drug itself affect hair,"
        " since she's too tired to read up on it?"
    )

    _assert_answered_from(decision, "hrt_antiestrogen")
    # A question after the "since" clause is still the question.
    assert "normal" in asking_part("My hair has thinned since I'm on prednisone, is that normal?")


def test_a_telegraphic_question_ending_in_its_question_word_asks_with_all_its_words(
    ask: Any,
) -> None:
    decision = ask("menopause hair thinning why")

    assert asking_part("menopause hair thinning why") == "menopause hair thinning why"
    assert decision.outcome == ANSWER
    assert "female pattern hair loss" in decision.quotes[0].text


@pytest.mark.parametrize(
    "turns",
    [
        ("What are the stages of hair growth?", "and what helps start the growing one?"),
        ("what helps start the growing phase?",),
    ],
)
def test_a_sentence_that_says_all_of_it_is_found_in_any_entry(
    knowledge: KnowledgeBase, vocabulary: Vocabulary, index: PassageIndex, turns: Sequence[str]
) -> None:
    # Neither the hair cycle's entry nor retrieval has it: vitamin D "initiating the
    # anagen (growth) phase" does.
    previous: dict[str, Any] | None = None
    decision = Decision(DECLINE, "none")
    for text in turns:
        own = read_question(text, vocabulary)
        question = follow_up(own, previous, vocabulary)
        decision = decide_follow_up(own, question, knowledge, vocabulary, index)
        previous = remembered(question, decision, vocabulary)

    assert decision.outcome == ANSWER
    assert any("initiating the anagen" in q.text for q in decision.quotes)


def test_a_sentence_about_another_kind_of_it_does_not_answer_it(
    knowledge: KnowledgeBase, vocabulary: Vocabulary, index: PassageIndex
) -> None:
    # Telogen effluvium is "temporary"; the article says nothing of reversing hair loss.
    own = read_question("can hair loss be reversed?", vocabulary)
    decision = decide_follow_up(own, own, knowledge, vocabulary, index)

    assert decision.outcome != ANSWER
    assert not any("telogen effluvium" in q.text for q in decision.quotes)


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        # The article sets one against the other ("osteoclasts outpace osteoblasts").
        ("osteoclast vs osteoblast, which one is overactive in brittle bones?", True),
        ("osteoclasts versus osteoblasts", True),
        ("osteoclats vs osteoblasts, which is which", True),  # a typo of a word it uses
        # It never names either, nor says which is more likely.
        ("almond milk vs soy milk for calcium?", False),
        ("alendronate vs fosamax, which is more likely to cause hair loss?", False),
    ],
)
def test_vs_between_two_things_the_article_contrasts_is_answered(
    ask: Any, question: str, answered: bool
) -> None:
    decision = ask(question)

    assert (decision.outcome == ANSWER) is answered
    if answered:
        assert any("outpace" in q.text for q in decision.quotes)


CYCLE = (
    "Hair loss, by contrast, is a disruption of the hair growth cycle, which consists of the"
    " growth phase (anagen), a transitional phase (catagen), and a resting phase (telogen)."
)


@pytest.mark.parametrize(
    ("text", "earlier", "shown", "meant"),
    [
        # What the last answer named in brackets, in order.
        ("what helps kick off the first one?", [], [CYCLE], "what helps kick off anagen?"),
        ("what happens in the last one?", [], [CYCLE], "what happens in telogen?"),
        # Else the subjects of the latest earlier message that named two or more.
        (
            "and what's the first one usually prescribed for?",
            ["I'm on steroids and Fosamax, which one is it?", "how rare is it?"],
            [],
            "and what's steroids usually prescribed for?",
        ),
        # The subjects in the order the conversation brought them up.
        (
            "why would the second one do it?",
            ["Can steroids cause hair loss?", "I'm on HRT too. which of the two is it?"],
            [],
            "why would hrt do it?",
        ),
        (
            "what does the second one do to bones?",
            ["I'm on alendronate. Could it be the drug?", "I'm also on prednisone, which one?"],
            [],
            "what does prednisone do to bones?",
        ),
        # Described by the word before its name in brackets.
        ("what about the resting one?", [], [CYCLE], "what about telogen?"),
        (
            "what do the bone-forming ones do?",
            [],
            ["…where bone-resorbing cells (osteoclasts) outpace bone-forming cells (osteoblasts)."],
            "what do osteoblasts do?",
        ),
        # Nothing to point at: unchanged.
        ("is this the first time?", ["does stress thin hair?"], [], "is this the first time?"),
        ("is the old one better?", [], [CYCLE], "is the old one better?"),
    ],
)
def test_the_first_and_the_last_one_are_what_the_conversation_named_in_order(
    vocabulary: Vocabulary, text: str, earlier: list[str], shown: list[str], meant: str
) -> None:
    assert with_ordinals_named(text, lambda: earlier, shown, vocabulary) == meant


def test_what_starts_the_first_phase_is_answered_from_the_sentence_on_anagen(
    knowledge: KnowledgeBase, vocabulary: Vocabulary, index: PassageIndex
) -> None:
    text = with_ordinals_named("what helps kick off the first one?", list, [CYCLE], vocabulary)
    own = read_question(text, vocabulary)
    decision = decide_follow_up(own, own, knowledge, vocabulary, index)

    assert decision.outcome == ANSWER
    assert any("initiating the anagen" in q.text for q in decision.quotes)


@pytest.mark.parametrize("asked", ["what's the proper medical name for it?", "what's that called?"])
def test_what_it_is_called_gets_the_sentence_that_names_it_though_just_shown(
    after: Any, asked: str
) -> None:
    first, decision = after("Why does menopause thin your hair?", asked)

    assert any("known as androgenetic alopecia" in q.text for q in first.quotes)
    assert "known as androgenetic alopecia" in decision.quotes[0].text


def test_what_goes_on_inside_is_not_answered_by_what_it_is(ask: Any) -> None:
    # Even when the classifier takes it for "what is osteoporosis?".
    decision = ask(
        "what's going on inside the bone when you've got osteoporosis?",
        intent="ask_what_is_osteoporosis",
    )

    _assert_answered_from(decision, "bone_remodeling")


def test_a_tip_for_something_the_article_has_no_tip_on_says_so(
    knowledge: KnowledgeBase, vocabulary: Vocabulary
) -> None:
    question = read_question("a tip for better sleep", vocabulary)
    decision = decide_tip(question, knowledge.tips, (), vocabulary)

    assert decision.outcome == PARTIAL
    assert decision.tip is not None
    assert "sleep" in " ".join(decision.uncovered)


@pytest.mark.parametrize(
    ("request_text", "not_about"),
    [
        ("any tips apart from calcium?", "calcium"),
        ("what else helps bones apart from vit D and calcium?", "calcium"),
        ("besides exercise, any tips?", "exercise"),
    ],
)
def test_a_tip_request_that_sets_a_subject_aside_gets_a_tip_on_something_else(
    knowledge: KnowledgeBase, vocabulary: Vocabulary, request_text: str, not_about: str
) -> None:
    question = read_question(request_text, vocabulary)
    decision = decide_tip(question, knowledge.tips, (), vocabulary, knowledge)

    assert not_about in question.excluded
    assert not_about not in question.concepts  # set aside, not asked about
    assert decision.tip is not None
    assert not_about not in decision.tip.id


def test_a_request_for_tips_besides_food_gets_no_tip_on_where_food_comes_from(
    knowledge: KnowledgeBase, vocabulary: Vocabulary
) -> None:
    question = read_question("Anything else besides food?", vocabulary)
    decision = decide_tip(question, knowledge.tips, (), vocabulary, knowledge)

    assert question.excluded == ("food_source",)
    assert not question.concepts
    assert decision.tip is not None
    assert decision.tip.id != "tip_calcium"  # "sourced from dairy products, ..."


@pytest.mark.parametrize(
    ("text", "other_advice"),
    [
        ("What else supports hair?", True),
        ("anything else good for my bones?", True),
        ("what other things help both?", True),  # both: bone and hair
        ("what else can I do besides exercise?", True),
        # The article's whole approach, unless tips are being given.
        ("what else can I do?", False),
        # Other causes, or more about a subject, are questions of their own.
        ("what else causes hair loss?", False),
        ("what else does iron do?", False),
        ("what else links both?", False),
        ("other medicines?", False),
    ],
)
def test_a_request_for_other_advice_is_told_apart(
    vocabulary: Vocabulary, text: str, other_advice: bool
) -> None:
    assert asks_for_other_advice(read_question(text, vocabulary), vocabulary) is other_advice


@pytest.mark.parametrize(
    "before", ["Keep your vitamin D up", "does stress cause hair loss?", "what is osteoporosis?"]
)
def test_a_kind_of_food_is_answered_where_the_article_names_it(
    knowledge: KnowledgeBase, vocabulary: Vocabulary, index: PassageIndex, before: str
) -> None:
    previous = read_question(before, vocabulary).record()
    own = read_question("I'm lactose intolerant though", vocabulary)
    question = follow_up(own, previous, vocabulary)
    decision = decide_follow_up(own, question, knowledge, vocabulary, index)

    _assert_answered_from(decision, "calcium")
    assert decision.lead != VERDICT
    assert "fortified plant milks" in decision.quotes[0].text


@pytest.mark.parametrize(
    ("before", "constraint", "quoted"),
    [
        (
            "Is sunlight enough for vitamin D?",
            "I have to avoid the sun because I've had skin cancer",
            "many people require a supplement",
        ),
        (
            "how much calcium do I need",
            "I'm housebound most days",
            "many people require a supplement",
        ),
        (
            "what is the usual vitamin D dose",
            "I live way up north and it's dark half the year",
            "many people require a supplement",
        ),
        # No one sentence names both: the first the article names.
        (
            "What's the link between vitamin D deficiency and osteoporosis?",
            "I'm allergic to dairy and rarely go outside",
            "fortified plant milks",
        ),
    ],
)
def test_a_stated_constraint_on_a_source_gets_the_articles_matching_content(
    after: Any, before: str, constraint: str, quoted: str
) -> None:
    _, decision = after(before, constraint)

    # Not "the article doesn't say anything about skin cancer": what it says of the sun.
    assert decision.outcome == ANSWER
    assert decision.lead != VERDICT
    assert any(quoted in q.text for q in decision.quotes), [q.text for q in decision.quotes]


@pytest.mark.parametrize(
    ("before", "statement", "quoted"),
    [
        ("What kind of exercise helps bones?", "I can't walk far because of my knees.", "walking"),
        ("Is walking good for osteoporosis?", "I use a wheelchair, so walking is out.", "walking"),
        ("What exercise is best for my bones?", "I've got bad knees so running is out", "walking"),
        # Not what they cannot give up, nor a condition they only state.
        ("Can glucocorticoids cause osteoporosis?", "I need them for my pain and can't stop", None),
        ("Can stress hurt my bones?", "I work two jobs and can't really cut back", None),
        ("Is walking good for osteoporosis?", "I also have thyroid disease", None),
    ],
)
def test_a_stated_limit_gets_the_articles_matching_content_without_a_verdict(
    after: Any, before: str, statement: str, quoted: str | None
) -> None:
    _, decision = after(before, statement)

    if quoted is None:
        assert decision.outcome != ANSWER
    else:
        assert decision.outcome == ANSWER
        assert decision.lead == NEUTRAL
        assert any(quoted in q.text for q in decision.quotes)


def test_a_question_about_a_source_is_still_asked_of_the_article(
    knowledge: KnowledgeBase, vocabulary: Vocabulary, index: PassageIndex
) -> None:
    # A question, not a statement: the article says nothing of sunscreen.
    previous = read_question("Is sunlight enough for vitamin D?", vocabulary).record()
    own = read_question("does sunscreen block the sun's effect?", vocabulary)
    question = follow_up(own, previous, vocabulary)
    decision = decide_follow_up(own, question, knowledge, vocabulary, index)

    assert decision.outcome != ANSWER


def test_what_a_story_rules_out_is_no_subject_of_the_question(
    knowledge: KnowledgeBase, vocabulary: Vocabulary
) -> None:
    question = read_question(
        "I can't have HRT because I had a clot, so what else helps bones?", vocabulary
    )

    assert "hrt" not in question.concepts
    assert "hrt" in question.excluded


def test_tips_run_out_per_focus_and_then_altogether(
    knowledge: KnowledgeBase, vocabulary: Vocabulary
) -> None:
    exercise = read_question("an exercise tip", vocabulary)
    everything = [t.id for t in knowledge.tips]

    assert decide_tip(exercise, knowledge.tips, ["tip_exercise"], vocabulary).reason == (
        NO_MORE_TIPS_FOR
    )
    assert decide_tip(
        read_question("", vocabulary), knowledge.tips, everything, vocabulary
    ).reason == (NO_MORE_TIPS)


def test_a_huge_message_is_read_and_decided_quickly(
    knowledge: KnowledgeBase, vocabulary: Vocabulary, index: PassageIndex
) -> None:
    # The action server answers one message at a time: a message read in quadratic time
    # (17,500 characters) would make every user after it wait.
    started = time.monotonic()
    question = read_question(
        "does osteoporosis cause hair loss, apart from stress? " * 400, vocabulary
    )
    decide(question, knowledge, vocabulary, index)

    assert time.monotonic() - started < 3.0


def test_a_partial_answer_names_what_is_not_covered_in_the_users_own_letters(ask: Any) -> None:
    decision = ask("I have PCOS - is that why my hair is thinning?")

    assert decision.outcome == PARTIAL
    assert decision.uncovered == ("PCOS",)


SHOWN_FACTORS = [
    "The primary reason osteoporosis and hair loss are often observed together is the "
    "presence of shared systemic factors that negatively impact both the skeleton and the "
    "hair cycle."
]


@pytest.mark.parametrize(
    "text",
    [
        "what are those factors?",
        "So what are these factors",
        "which are all those systemic factors?",
    ],
)
def test_asking_what_the_last_answer_named_is_recognised(text: str) -> None:
    assert asks_what_was_named(text, SHOWN_FACTORS)


@pytest.mark.parametrize(
    "text",
    [
        "what are those medicines?",  # not named in the last answer
        "what are the factors for men?",  # asks more than that
        "what are factors",
        "what are those",
        "what are the factors?",  # may ask again what the last answer listed
    ],
)
def test_other_questions_are_not_read_as_asking_what_was_named(text: str) -> None:
    assert not asks_what_was_named(text, SHOWN_FACTORS)


# ---- Round 11 (dev24): what a question sets aside, ranks or misspells


@pytest.mark.parametrize(
    ("before", "text"),
    [
        ("What exercise helps osteoporosis?", "which of those matters most?"),
        ("Why do bone loss and hair loss show up together?", "which one is worse?"),
        ("Why do bone loss and hair loss show up together?", "which of the three matters most?"),
    ],
)
def test_ranking_what_was_just_named_gets_a_partial_answer(
    after: Any, before: str, text: str
) -> None:
    first, decision = after(before, text)

    assert decision.outcome == PARTIAL, decision
    assert decision.entry == first.entry
    assert decision.lead == NEUTRAL
    # In the user's words, each once: "which one is worse", not "worse worse".
    assert decision.uncovered == (" ".join(words_of(text)),)


def test_a_question_that_names_its_own_subject_is_not_read_as_ranking_what_was_named(
    ask: Any,
) -> None:
    decision = ask("Which vitamin is most important for calcium absorption?")

    assert decision.outcome == ANSWER


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("Does alendronate cause anything besides hair loss?", "anything besides hair loss"),
        ("Can osteoporosis cause anything apart from hair loss?", "anything apart from hair loss"),
    ],
)
def test_other_effects_than_the_one_named_get_a_partial_answer_without_a_verdict(
    ask: Any, question: str, words: str
) -> None:
    decision = ask(question, intent="ask_bisphosphonates" if "alendronate" in question else None)

    assert decision.outcome == PARTIAL, decision
    assert decision.lead != VERDICT
    assert words in decision.uncovered


@pytest.mark.parametrize(
    "question",
    ["What other side effects does Fosamax have?", "does alendronate have any other side effects?"],
)
def test_other_side_effects_of_a_drug_get_a_partial_answer_without_a_verdict(
    ask: Any, question: str
) -> None:
    """The article names one side effect of bisphosphonates (hair loss); "other side
    effects" asks for more than it says."""
    decision = ask(question, intent="ask_bisphosphonates")

    assert decision.outcome == PARTIAL, decision
    assert decision.lead != VERDICT
    assert "other side effects" in decision.uncovered


@pytest.mark.parametrize(
    "question",
    ["Does alendronate have side effects?", "any other side effects on hair from steroids?"],
)
def test_side_effects_without_other_or_with_the_effect_named_are_answered(
    ask: Any, question: str
) -> None:
    decision = ask(question)

    assert decision.outcome == ANSWER, decision


def test_other_side_effects_after_an_answer_on_a_drug_get_a_partial_answer(after: Any) -> None:
    _, decision = after("Does Fosamax cause hair loss?", "what other side effects does it have?")

    assert decision.outcome == PARTIAL, decision
    assert decision.lead != VERDICT


def test_it_after_a_story_stands_for_the_unknown_thing_named_last(ask: Any) -> None:
    """ "It" is minoxidil, which the article does not cover, not menopause."""
    decision = ask(
        "My hair's been thinning since menopause and my cousin says minoxidil saved hers. "
        "Does it work?"
    )

    assert decision.outcome != ANSWER, decision
    assert decision.lead != VERDICT
    assert "minoxidil" in decision.uncovered


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        (
            "I've been on prednisone for my arthritis for three years. Could that be "
            "affecting my bones and my hair?",
            "glucocorticoids",
        ),
        (
            "I am taking an anti-estrogen medication following breast cancer. Could this "
            "influence my hair?",
            "hrt_antiestrogen",
        ),
    ],
)
def test_a_thing_a_story_mentions_in_passing_is_not_what_it_stands_for(
    ask: Any, question: str, entry: str
) -> None:
    _assert_answered_from(ask(question), entry)


@pytest.mark.parametrize(
    "question",
    ["does one cause the other?", "can one lead to the other", "is one linked to the other?"],
)
def test_one_and_the_other_around_a_relation_are_the_two_conditions(
    ask: Any, question: str
) -> None:
    _assert_answered_from(ask(question), "causal_link")


def test_one_doesnt_cause_the_other_after_a_definition_is_the_causal_link(after: Any) -> None:
    """ "The other" is not "another": the entry on the same subject is not set aside."""
    _, decision = after("What is osteoporosis?", "so one doesn't cause the other?")

    _assert_answered_from(decision, "causal_link")


def test_one_better_than_the_other_is_not_about_the_two_conditions(ask: Any) -> None:
    decision = ask("is one better than the other?")

    assert decision.outcome != ANSWER or decision.entry.id != "causal_link", decision


@pytest.mark.parametrize(
    "question", ["is there a cure for osteoporosis?", "can hair loss be cured?"]
)
def test_a_cure_the_article_never_speaks_of_gets_a_partial_answer(ask: Any, question: str) -> None:
    decision = ask(question)

    assert decision.outcome == PARTIAL, decision
    assert decision.lead != VERDICT


def test_a_cure_for_either_after_the_two_conditions_gets_a_partial_answer(after: Any) -> None:
    _, decision = after("does one cause the other?", "is there a cure for either?")

    assert decision.outcome == PARTIAL, decision


def test_linked_to_asks_about_an_association_and_gets_no_causal_verdict(ask: Any) -> None:
    """ "No." would deny the link the answer itself states (shared factors)."""
    decision = ask("Is osteoporosis linked to hair loss?", intent="ask_causal_link")

    assert decision.outcome == ANSWER, decision
    assert decision.lead != VERDICT


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        # What brackets say is an aside on what comes before them.
        ("Is alopecia (AGA, TE etc.) basically a derm condition?", "what_is_hair_loss"),
        # "X or Y" in a yes/no question is asked of either, not a choice.
        ("Can tamoxifen or AIs (anti-E drugs) disrupt hair growth?", "hrt_antiestrogen"),
        # "How often" before an effect asks how common it is ("a rare side effect").
        (
            "I've been wondering how often alendronate actually leads to hair loss.",
            "bisphosphonates",
        ),
        # A verb between its subject and its object is not an activity.
        (
            "Does telogen effluvium involve follicles entering the resting phase prematurely?",
            "telogen_effluvium",
        ),
    ],
)
def test_questions_read_by_their_grammar_are_answered(ask: Any, question: str, entry: str) -> None:
    _assert_answered_from(ask(question), entry)


@pytest.mark.parametrize(
    "question",
    [
        "Should I drink almond milk or soy milk for calcium?",
        "how often should I take vitamin D?",
        "Does swimming the channel help bones?",
    ],
)
def test_the_other_side_of_those_grammar_rules_still_does_not_answer(
    ask: Any, question: str
) -> None:
    """A choice, a schedule and an activity the article does not speak of."""
    assert ask(question).outcome != ANSWER


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("Exactly how rare is hair loss from bisphosphonates, like 1 in 1000?", "1 in 1000"),
        ("Is it one in three women over 50 who get osteoporosis?", "one in three"),
        ("HRT + DVT risk, is it real?", "DVT"),
        ("Is osteoporosis becoming more common than it used to be?", "than it used to be"),
    ],
)
def test_near_misses_with_a_rate_a_claim_a_trend_or_a_reversal_get_no_answer(
    ask: Any, question: str, words: str
) -> None:
    decision = ask(question)

    assert decision.outcome != ANSWER, decision
    assert decision.lead != VERDICT
    assert words in decision.uncovered


def test_whether_stopping_a_drug_reverses_hair_loss_gets_no_answer(after: Any) -> None:
    """The article never says hair loss can be reversed."""
    _, decision = after("why does HRT do it?", "would stopping it reverse the hair loss?")

    assert decision.outcome == PARTIAL, decision
    assert "reverse" in decision.uncovered


@pytest.mark.parametrize(
    "text",
    [
        "Would you advise me to begin hormone replacement therapy for my bone density?",
        "I can only afford one supplement and my hair and bones are bad. Should I get calcium "
        "or vitamin D?",
    ],
)
def test_asking_what_to_begin_or_get_is_personal_advice(text: str) -> None:
    assert asks_for_advice(text)


@pytest.mark.parametrize(
    "text", ["can I get calcium from almond milk?", "how much vitamin D should I take?"]
)
def test_asking_where_a_nutrient_comes_from_or_how_much_is_not_personal_advice(text: str) -> None:
    assert not asks_for_advice(text)


@pytest.mark.parametrize("question", ["does osteoporosis hurt?", "is osteoporosis painful?"])
def test_whether_a_condition_hurts_is_not_answered_by_what_steroids_treat(
    ask: Any, question: str
) -> None:
    """The article names pain only as what steroids are prescribed for."""
    decision = ask(question)

    assert decision.outcome == PARTIAL, decision
    assert decision.entry.id != "glucocorticoids"


def test_hurt_with_an_object_is_harm_done_to_it(ask: Any) -> None:
    _assert_answered_from(ask("does stress hurt bones?"), "stress")


def test_it_stands_for_a_thing_named_two_clauses_back_not_for_what_it_is_for(ask: Any) -> None:
    decision = ask(
        "My friend swears by rosemary oil for her thinning hair. I'm tempted to try it "
        "myself. Does it actually work?"
    )

    assert decision.outcome != ANSWER, decision
    assert "rosemary oil" in decision.uncovered


def test_the_words_not_covered_are_not_joined_across_a_subject_the_article_covers(
    ask: Any,
) -> None:
    """ "Stopping HRT reverse" would read as nonsense; "cause bone breakdown" stays one."""
    decision = ask("Would stopping HRT reverse the hair loss?")

    assert decision.uncovered == ("stopping", "reverse")


def test_a_misspelt_word_that_only_frames_does_not_block_the_answer(ask: Any) -> None:
    decision = ask("how many IU of vitamin d per day is reccomended")

    _assert_answered_from(decision, "vitamin_d_dose")


@pytest.mark.parametrize(
    ("question", "intent", "entry"),
    [
        # The entry on what was set aside is not the answer, whatever the classifier says.
        (
            "Can medicines other than osteoporosis drugs thin your hair?",
            "ask_bisphosphonates",
            "glucocorticoids",
        ),
        ("TE aside, what does telogen mean?", "ask_telogen_effluvium", "hair_growth_cycle"),
    ],
)
def test_an_entry_on_what_the_question_sets_aside_is_not_its_answer(
    ask: Any, question: str, intent: str, entry: str
) -> None:
    decision = ask(question, intent=intent)

    _assert_answered_from(decision, entry)


def test_a_thing_set_aside_need_not_be_in_the_article(ask: Any) -> None:
    decision = ask(
        "I'm curious whether protein matters for anything besides muscle, like bones or hair."
    )

    _assert_answered_from(decision, "protein")


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("best habits for OP and hair loss?", "what_can_i_do"),
        ("best exercise for OP? is walking ok?", "exercise"),
    ],
)
def test_a_superlative_alone_compares_nothing_the_question_names(
    ask: Any, question: str, entry: str
) -> None:
    decision = ask(question)

    _assert_answered_from(decision, entry)


@pytest.mark.parametrize(
    "question", ["Is walking or swimming best?", "Which exercise is best for hair growth?"]
)
def test_a_superlative_between_named_things_or_for_an_uncovered_aim_stays_partial(
    ask: Any, question: str
) -> None:
    assert ask(question).outcome == PARTIAL


@pytest.mark.parametrize(
    "question",
    [
        "Is low vitamin D bad for bone strength?",
        "Is not getting enough of the sunshine vitamin bad for bone strength?",
    ],
)
def test_the_sentence_that_says_all_of_it_is_quoted_first(ask: Any, question: str) -> None:
    decision = ask(question)

    assert decision.outcome == ANSWER
    assert decision.quotes[0].text.startswith("Insufficient Vitamin D directly compromises")


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("Osteoporosis is which kind of sickness, please explain me", "what_is_osteoporosis"),
        ("what dose the imbalence in bone cells lead to", "bone_remodeling"),
        ("Green leaf vegetable have calcium inside?", "calcium"),
        # dev25, read after it was held back
        ("Does fosomax cause hare loss?", "bisphosphonates"),
        ("Do alot of peple need a vitamin D suplement?", "vitamin_d_dose"),
        ("Do AAs from protein support the collagen matrix in bone?", "protein"),
        ("Does long-running inflammation hurt both bones and hair?", "inflammation"),
        ("Alendronat for the bones, it can make hair to drop?", "bisphosphonates"),
        ("Is there a biological pathway that runs from the bones to the scalp?", "causal_link"),
        (
            "I was wondering if my osteoporosis tablets could be behind my hair thinning.",
            "bisphosphonates",
        ),
        (
            "Why is a unified approach considered appropriate for managing bone and hair health?",
            "what_can_i_do",
        ),
        ("What does the imbalance between the two types of bone cells lead to?", "bone_remodeling"),
        (
            "Among which group is concurrent bone thinning and hair shedding a particular concern?",
            "why_together",
        ),
        (
            "I wonder whether there's a hormonal explanation for the way women's hair thins on "
            "the top of the head.",
            "female_pattern_hair_loss",
        ),
    ],
)
def test_lay_words_and_typos_of_dev24_are_read(ask: Any, question: str, entry: str) -> None:
    decision = ask(question)

    _assert_answered_from(decision, entry)


def test_which_of_two_drugs_makes_hair_go_away_is_an_attribution_question(ask: Any) -> None:
    decision = ask("I take Fosamax and also hormone therapy. Which one make my hair go away?")

    assert decision.reason == ATTRIBUTION


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        # "… and red blood cell production": another part of the body is named.
        ("What does iron help with besides hair?", "biotin_iron"),
    ],
)
def test_what_is_set_aside_does_not_hide_the_sentence_that_answers(
    ask: Any, question: str, entry: str
) -> None:
    decision = ask(question)

    _assert_answered_from(decision, entry)


@pytest.mark.parametrize(
    "question",
    [
        "Which hormonal change contributes most to both osteoporosis and hair loss?",
        "I'm now on HRT and a bisphosphonate. Which one could make the thinning worse?",
    ],
)
def test_a_which_question_naming_its_own_subjects_does_not_rank_what_was_named(
    ask: Any, question: str
) -> None:
    assert ask(question).outcome == ANSWER


def test_other_vitamins_after_the_vitamin_d_dose_are_the_b_vitamins_not_their_amount(
    after: Any,
) -> None:
    _, decision = after("How much vitamin D do I need?", "any other vitamins for hair?")

    _assert_answered_from(decision, "biotin_iron")


def test_a_subject_set_aside_is_answered_with_another_subject(ask: Any) -> None:
    # The classifier's pick (calcium) is set aside; protein is the other subject named.
    decision = ask("What holds bone together apart from calcium?", intent="ask_calcium")

    assert decision.outcome == ANSWER, decision
    assert any("protein provides" in q.text for q in decision.quotes)


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("Too much stress can make the hair falling?", "stress"),
        ("When I have stress too much, the bone and hair get problem?", "stress"),
        ("What drives net bone loss in OP - too much resorption?", "bone_remodeling"),
    ],
)
def test_too_much_of_a_state_the_article_speaks_of_is_that_state(
    ask: Any, question: str, entry: str
) -> None:
    decision = ask(question)

    _assert_answered_from(decision, entry)


@pytest.mark.parametrize(
    "question",
    [
        "can you take too much vitamin D?",
        "is too much exercise bad for bones?",
        "too much steroid use?",
    ],
)
def test_too_much_of_what_is_taken_or_done_stays_unanswered(ask: Any, question: str) -> None:
    decision = ask(question)

    assert decision.outcome == PARTIAL, decision
    assert "too much" in decision.uncovered


@pytest.mark.parametrize(
    "question",
    [
        "is the shedding from inflammation temporary or is it forever",
        "Will my hair come back after this sudden shedding thing, telogen effluvium, or is it "
        "gone for good?",
    ],
)
def test_an_either_or_between_two_answers_is_answered_by_the_one_the_article_gives(
    ask: Any, question: str
) -> None:
    decision = ask(question)

    assert decision.outcome == ANSWER, decision
    assert any("temporary shedding" in q.text for q in decision.quotes)


def test_an_either_or_the_article_answers_neither_way_stays_partial(ask: Any) -> None:
    decision = ask("Is osteoporosis permanent or is it reversible?")

    assert decision.outcome == PARTIAL
    assert decision.lead != VERDICT


@pytest.mark.parametrize(
    ("before", "text"),
    [
        ("Is there a direct link between bone thinning and hair loss?", "so what connects them?"),
        ("does OP cause hair loss directly", "then what links them"),
    ],
)
def test_what_links_them_after_a_denied_direct_link_is_the_shared_factors(
    after: Any, before: str, text: str
) -> None:
    _, decision = after(before, text)

    assert decision.outcome == ANSWER
    assert any(q.text.startswith("The primary reason") for q in decision.quotes), decision


@pytest.mark.parametrize(
    "question",
    [
        "My hair is thinning at the crown and I've got osteoporosis. Is one causing the other?",
        "I'm 70, my hair thins on the top of the head and my bones are weak. Does bone loss "
        "cause hair loss?",
    ],
)
def test_thinning_on_top_alone_is_hair_loss_not_female_pattern_hair_loss(
    ask: Any, question: str
) -> None:
    decision = ask(question)

    _assert_answered_from(decision, "causal_link")


def test_a_condition_set_aside_beside_another_effect_asked_is_not_other_effects(
    ask: Any,
) -> None:
    decision = ask("Other than bone thinning, can osteoporosis cause hair loss?")

    _assert_answered_from(decision, "causal_link")


@pytest.mark.parametrize(
    "question",
    [
        "Do the things that damage bones also tend to damage hair?",
        "Do the same things that wreck your bones also wreck your hair?",
    ],
)
def test_causes_the_two_share_never_get_the_verdict_on_one_causing_the_other(
    ask: Any, question: str
) -> None:
    decision = ask(question, intent="ask_causal_link")

    assert decision.lead != VERDICT, decision


def test_one_causing_the_other_still_gets_its_verdict(ask: Any) -> None:
    assert ask("Can bone loss damage hair follicles?", intent="ask_causal_link").lead == VERDICT


# ---- Development sets 29 and 30 (blind) ------------------------------------------------


def test_one_and_the_other_in_the_clause_before_are_the_two_conditions(ask: Any) -> None:
    decision = ask("If one doesn't directly cause the other, where does the correlation come from?")

    assert decision.outcome == ANSWER, decision
    assert _entry(decision) in ("causal_link", "why_together")


def test_a_correlation_with_nothing_named_is_not_taken_for_the_two_conditions(ask: Any) -> None:
    assert ask("where does the correlation come from?").outcome != ANSWER


def test_what_a_quoted_word_means_is_answered_about_that_word(ask: Any) -> None:
    decision = ask("My pharmacist said my hair loss might be 'iatrogenic'. What does that mean?")

    assert decision.outcome == ANSWER, decision
    assert any("iatrogenic" in q.text for q in decision.quotes)


@pytest.mark.parametrize(
    "question",
    [
        # Not what the quoted words mean: what condition the story describes.
        "My dad is 80 and had a fall last winter; the doctors said his bones were 'like "
        "paper'. What's the condition where bones get fragile like that?",
        # Quoted words the article does not know: the story's own subject.
        "My doctor said my bones look 'like a sponge' on the scan and that I have "
        "osteoporosis. I nodded but didn't really get it. What does it actually mean?",
    ],
)
def test_quoted_words_that_are_not_asked_about_leave_the_story_its_subject(
    ask: Any, question: str
) -> None:
    _assert_answered_from(ask(question), "what_is_osteoporosis")


@pytest.mark.parametrize(
    "text",
    [
        "Would you recommend that I begin bisphosphonate therapy given my bone density?",
        "My hair is falling, I should take more calcium or no?",
        "My hair is falling, I must change my medicine or not?",
    ],
)
def test_asking_whether_i_should_or_must_is_personal_advice(text: str) -> None:
    assert asks_for_advice(text)


@pytest.mark.parametrize(
    "text",
    [
        "I should take vitamin D, my doctor says. How much is typical?",
        "I must say, how much calcium do adults need?",
    ],
)
def test_a_story_with_should_before_a_general_question_is_not_personal_advice(text: str) -> None:
    assert not asks_for_advice(text)


@pytest.mark.parametrize(
    ("before", "text", "entry"),
    [
        (
            "Why do people need protein for hair?",
            "how many grams of it should I eat a day?",
            "protein",
        ),
        (
            "Do anti-estrogen drugs cause hair loss?",
            "is hair loss common with that one?",
            "hrt_antiestrogen",
        ),
    ],
)
def test_it_as_the_object_of_a_preposition_is_the_last_subject(
    after: Any, before: str, text: str, entry: str
) -> None:
    """Not the figure for calcium, nor how common the two conditions are together: the
    article gives neither for the subject pointed back at."""
    _, decision = after(before, text)

    assert decision.outcome == PARTIAL, decision
    assert _entry(decision) == entry


@pytest.mark.parametrize(
    "question",
    [
        "how common is hair loss on steroids?",
        "Is hair loss common with anti-estrogen drugs?",
        "how common is hair loss in women",
        "My son is 16 and his hair is thinning. Is that common at his age?",
    ],
)
def test_how_common_is_not_answered_by_a_frequency_said_of_something_else(
    ask: Any, question: str
) -> None:
    """ "Conditions frequently associated with osteoporosis" and "the simultaneous
    appearance of bone thinning and hair shedding is a common concern" say nothing of how
    common hair loss is on a drug, or on its own."""
    decision = ask(question)

    assert decision.outcome == PARTIAL, decision
    assert decision.lead != VERDICT


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("are osteoporosis and hair loss commonly seen together?", "why_together"),
        ("What are the common systemic factors linking bone and hair health?", "why_together"),
        ("Is inflammation a common link between bone and hair problems?", "inflammation"),
        ("is hair loss common in older people?", "why_together"),
        ("my mum is 82, is hair loss common at her age?", "why_together"),
    ],
)
def test_how_common_the_two_are_together_and_common_as_shared_are_answered(
    ask: Any, question: str, entry: str
) -> None:
    _assert_answered_from(ask(question), entry)


def test_than_a_named_thing_after_a_pronoun_compares_the_two(after: Any) -> None:
    _, decision = after(
        "Can inflammation cause hair shedding?", "is it worse for bones than steroids?"
    )

    assert decision.outcome == PARTIAL, decision
    assert "comparison" in decision.missing


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        (
            "Can the hormone changes of menopause make female pattern thinning worse than "
            "it already was?",
            "estrogen_menopause",
        ),
        (
            "could the treatment for my osteoporosis be behind my hair loss rather than the "
            "disease itself",
            "bisphosphonates",
        ),
    ],
)
def test_than_with_nothing_named_after_it_compares_nothing(
    ask: Any, question: str, entry: str
) -> None:
    _assert_answered_from(ask(question), entry)


@pytest.mark.parametrize(
    "question",
    [
        "Is the steroid likely to be behind both?",
        "Are the steroids likely playing a part in both?",
        "Are steroids likely to be part of the reason?",
    ],
)
def test_likely_before_a_relation_only_hedges_it(ask: Any, question: str) -> None:
    _assert_answered_from(ask(question), "glucocorticoids")


def test_how_likely_still_asks_how_common(ask: Any) -> None:
    decision = ask("how likely is hair loss on steroids?")

    assert decision.outcome == PARTIAL, decision


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("Will chilling out more actually help my bones?", "stress"),
        ("What kind of activity actually helps build bone?", "exercise"),
        ("For bones and hair both, what I should do in the daily life?", "what_can_i_do"),
        ("is osteoporosis from too much bone being broken down", "bone_remodeling"),
        (
            "I was wondering whether hormone replacement could be behind the changes in my hair?",
            "hrt_antiestrogen",
        ),
        ("is the change making my hair thin?", "estrogen_menopause"),
    ],
)
def test_lay_words_of_dev29_and_dev30_are_read(ask: Any, question: str, entry: str) -> None:
    _assert_answered_from(ask(question), entry)


def test_preserving_bone_is_what_estrogen_is_said_to_do(ask: Any) -> None:
    decision = ask("By what mechanism does estrogen preserve bone density?")

    assert decision.outcome == ANSWER, decision
    assert any("protective role" in q.text for q in decision.quotes)


def test_what_about_a_new_subject_after_how_common_asks_what_the_article_says_of_it(
    after: Any,
) -> None:
    """ "Is it common?" about Fosamax, then "what about stress?": whether stress does it
    too, which the article answers; not "the article doesn't say anything about common"."""
    _, decision = after(
        "does fosamax make your hair fall out, and is it common?", "what about stress?"
    )

    _assert_answered_from(decision, "stress")
    assert decision.lead != VERDICT


def test_what_about_a_new_subject_after_how_much_still_says_there_is_no_figure(
    after: Any,
) -> None:
    _, decision = after("how much calcium do adults need?", "what about biotin?")

    assert decision.outcome == PARTIAL, decision


@pytest.mark.parametrize(
    "question",
    [
        "My mum takes prednisone and now she bruises really easily. Is that from the steroid?",
        "I feel exhausted all the time. Could that be from low vitamin D?",
    ],
)
def test_that_after_a_story_is_the_effect_it_tells_of_last(ask: Any, question: str) -> None:
    """Bruising and tiredness are effects the article never names: not "Yes" over the
    sentence on bone loss and hair thinning."""
    decision = ask(question)

    assert decision.outcome == PARTIAL, decision
    assert decision.lead != VERDICT


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        (
            "I'm 68 and don't go to a gym, but I walk the dog every day. Does that count as "
            "good exercise for my bones?",
            "exercise",
        ),
        (
            "I'm 53, my periods stopped about two years ago, and since then I've had a low "
            "bone density result and my part keeps getting wider. My GP mentioned hormones "
            "but was in a rush. Are those two things related to menopause?",
            "estrogen_menopause",
        ),
        ("My mum has osteoporosis and thin hair. Is that from the steroids?", "glucocorticoids"),
    ],
)
def test_that_with_a_subject_or_effect_of_its_own_is_not_the_storys_last_word(
    ask: Any, question: str, entry: str
) -> None:
    _assert_answered_from(ask(question), entry)


@pytest.mark.parametrize(
    "question",
    ["The Paget disease of the bone, what is it?", "my doctor mentioned osteopenia. what is that?"],
)
def test_what_is_it_after_a_name_the_article_does_not_know_is_not_answered(
    ask: Any, question: str
) -> None:
    assert ask(question).outcome != ANSWER


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        (
            "Everyone keeps using the word osteoporosis, but nobody has told me what it "
            "actually is. What is it?",
            "what_is_osteoporosis",
        ),
        (
            "Hair dropping out like autumn leaves — what's the posh word for that?",
            "what_is_hair_loss",
        ),
    ],
)
def test_what_is_it_after_ordinary_words_keeps_the_storys_subject(
    ask: Any, question: str, entry: str
) -> None:
    _assert_answered_from(ask(question), entry)


@pytest.mark.parametrize(
    "question",
    ["How do I find out if my iron is low?", "How can I find out whether my vitamin D is low?"],
)
def test_finding_out_whether_a_level_is_low_asks_for_a_test(ask: Any, question: str) -> None:
    decision = ask(question)

    assert decision.outcome == PARTIAL, decision
    assert "test" in decision.missing


def test_on_both_after_two_drugs_were_discussed_is_an_attribution(
    knowledge: KnowledgeBase, vocabulary: Vocabulary, index: PassageIndex
) -> None:
    """ "I'm on both" names neither drug: they are the two the conversation spoke of."""
    question = with_earlier_drugs(
        read_question("I'm on both. Which one's making my hair fall out?", vocabulary),
        lambda: ["hrt", "bisphosphonates"],
        vocabulary,
    )
    decision = decide(question, knowledge, vocabulary, index)

    assert decision.reason == ATTRIBUTION
    assert {decision.entry.id, *(e.id for e in decision.also)} == {
        "bisphosphonates",
        "hrt_antiestrogen",
    }


def test_on_both_with_one_drug_discussed_is_no_attribution(vocabulary: Vocabulary) -> None:
    question = read_question("I'm on both. Which one's making my hair fall out?", vocabulary)

    assert not with_earlier_drugs(question, lambda: ["hrt"], vocabulary).together


@pytest.mark.parametrize(
    "question",
    ["how common is hair loss in women", "How common is hair loss, honestly?"],
)
def test_how_common_is_not_answered_by_how_rare_a_drugs_side_effect_is(
    ask: Any, question: str
) -> None:
    """ "Although this is considered a rare side effect" is how rare hair loss is on
    bisphosphonates, not how common hair loss is."""
    decision = ask(question, intent="ask_bisphosphonates")

    assert decision.outcome == PARTIAL, decision
    assert decision.lead != VERDICT


def test_how_common_hair_loss_is_on_the_drug_is_answered_by_its_rarity(ask: Any) -> None:
    _assert_answered_from(ask("is hair loss from fosamax common?"), "bisphosphonates")


def test_beats_compares(ask: Any) -> None:
    decision = ask("Could you tell me whether strength training beats walking for bone density?")

    assert decision.outcome == PARTIAL, decision
    assert "comparison" in decision.missing
