"""Names shared with domain.yml: slots, intents and responses."""

# Slots
SLOT_LAST_ENTRY = "last_entry"
SLOT_MORE_SHOWN = "more_shown"
SLOT_LAST_QUOTES = "last_quotes"
SLOT_TIPS_GIVEN = "tips_given"
SLOT_DISCLAIMER_SHOWN = "disclaimer_shown"
# The last question, as concepts, for follow-ups (actions/answerability.Question.record).
SLOT_LAST_QUESTION = "last_question"
# The last answerability decision and its reason (actions/answerability.Decision.record).
SLOT_ANSWERABILITY = "answerability"

# Intents that lean on the conversation
INTENT_WHAT_ABOUT = "ask_what_about"
INTENT_HOW_MUCH = "ask_how_much"
INTENT_FOLLOWUP = "ask_followup"
FOLLOW_UP_INTENTS = (INTENT_WHAT_ABOUT, INTENT_HOW_MUCH, INTENT_FOLLOWUP)
INTENT_OUT_OF_SCOPE = "out_of_scope"
INTENT_OFF_TOPIC = "off_topic"
INTENT_GREET = "greet"
INTENT_FALLBACK = "nlu_fallback"

# Responses
UTTER_ANSWER = "utter_grounded_answer"
UTTER_NEUTRAL_ANSWER = "utter_neutral_answer"
UTTER_PARTIAL_ANSWER = "utter_partial_answer"
UTTER_RETRIEVED = "utter_retrieved_answer"
UTTER_ATTRIBUTION = "utter_attribution"
UTTER_MORE = "utter_more"
UTTER_NO_MORE = "utter_no_more"
UTTER_NOTHING_YET = "utter_nothing_yet"
UTTER_SOURCE = "utter_source"
UTTER_DECLINE = "utter_decline"
UTTER_OFF_TOPIC = "utter_off_topic"
UTTER_PERSONAL_ADVICE = "utter_personal_advice"
UTTER_PERSONAL_ADVICE_ONLY = "utter_personal_advice_only"
UTTER_TIP = "utter_tip"
UTTER_NO_MORE_TIPS = "utter_no_more_tips"
UTTER_NO_TIP_FOR = "utter_no_tip_for"
UTTER_CAPABILITIES = "utter_capabilities"
UTTER_UNCLEAR_SUBJECT = "utter_unclear_subject"
UTTER_ENGLISH_ONLY = "utter_english_only"
UTTER_NO_MORE_TIPS_FOCUS = "utter_no_more_tips_focus"
UTTER_GREET = "utter_greet"
UTTER_GOODBYE = "utter_goodbye"
UTTER_YOU_ARE_WELCOME = "utter_you_are_welcome"
UTTER_IAMABOT = "utter_iamabot"

# Small talk: the reply to each intent (action_small_talk).
SMALL_TALK = {
    INTENT_GREET: UTTER_GREET,
    "goodbye": UTTER_GOODBYE,
    "thank": UTTER_YOU_ARE_WELCOME,
    "bot_challenge": UTTER_IAMABOT,
}
