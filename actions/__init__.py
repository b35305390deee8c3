"""Custom actions for the osteoporosis and hair loss FAQ assistant.

Plain modules (`knowledge`, `resolve`, `retrieval`, `tips`) hold the logic and need no
Rasa; the action modules (`answer`, `fallback`, `tip_actions`) are thin wrappers.
"""
