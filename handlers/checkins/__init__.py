"""Handlers of the checkins feature (its rules: bot/services/checkins/)."""
