"""Example sentences per meaning, per language, for bot/semantic.py (format: docs/nlu-spec.md)."""
