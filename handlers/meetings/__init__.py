"""Handlers of the meetings feature (its rules: bot/services/meetings/)."""
