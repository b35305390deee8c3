"""Custom Rasa components: NLU pipeline pieces (config.yml) and the tracker store
(endpoints.yml). The fixes to Rasa's internals are not here: see rasa_patches/."""
