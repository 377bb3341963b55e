"""Rule files, one per period of the law (see ruleset.py)."""
