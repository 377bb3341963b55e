"""Per-language lexicons for bot.understanding (format: docs/nlu-spec.md)."""
