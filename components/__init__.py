"""Custom NLU components for the assistant's pipeline (config.yml).

Importing this package (Rasa does when it loads the model) also applies the
measured fixes in `rasa_fixes`.
"""

from components import rasa_fixes

rasa_fixes.apply()
