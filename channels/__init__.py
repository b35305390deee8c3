"""Input channels: Rasa's connectors with the fixes this assistant needs."""
