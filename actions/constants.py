"""Names shared with domain.yml: slots, entities, intents and responses."""

# Slots
SLOT_LAST_ENTRY = "last_entry"
SLOT_MORE_SHOWN = "more_shown"
SLOT_LAST_QUOTES = "last_quotes"
SLOT_TIPS_GIVEN = "tips_given"
SLOT_DISCLAIMER_SHOWN = "disclaimer_shown"

# Entities whose (synonym-normalised) values name a knowledge subject
ENTITY_MEDICATION = "medication"
ENTITY_NUTRIENT = "nutrient"
ENTITY_LIFESTYLE = "lifestyle"
SUBJECT_ENTITIES = (ENTITY_MEDICATION, ENTITY_NUTRIENT, ENTITY_LIFESTYLE)

# Intents that are answered from context rather than by their own entry
INTENT_WHAT_ABOUT = "ask_what_about"
INTENT_HOW_MUCH = "ask_how_much"
INTENT_FOLLOWUP = "ask_followup"
INTENT_OUT_OF_SCOPE = "out_of_scope"

# Aspect used by "how much?" follow-ups
ASPECT_AMOUNT = "amount"

# Responses
UTTER_ANSWER = "utter_grounded_answer"
UTTER_MORE = "utter_more"
UTTER_NO_MORE = "utter_no_more"
UTTER_NOTHING_YET = "utter_nothing_yet"
UTTER_SOURCE = "utter_source"
UTTER_NO_AMOUNT = "utter_no_amount"
UTTER_DISCLAIMER = "utter_disclaimer"
UTTER_DECLINE = "utter_decline"
UTTER_RETRIEVED = "utter_retrieved_answer"
UTTER_PERSONAL_ADVICE = "utter_personal_advice"
UTTER_TIP = "utter_tip"
UTTER_NO_MORE_TIPS = "utter_no_more_tips"
UTTER_CAPABILITIES = "utter_capabilities"
UTTER_UNCLEAR_SUBJECT = "utter_unclear_subject"
UTTER_NO_MORE_TIPS_FOCUS = "utter_no_more_tips_focus"
