"""Custom Rasa components: NLU pipeline pieces (config.yml) and the tracker store
(endpoints.yml).

Importing this package (Rasa does when it loads the model) also applies the
measured fixes in `rasa_fixes`.
"""

from components import rasa_fixes

rasa_fixes.apply()
