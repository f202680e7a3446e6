"""Cleaning: word-, sentence- and document-level rules with per-source thresholds."""
