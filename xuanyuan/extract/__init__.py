"""Extraction: raw HTML / PDF / text / JSONL files to document records."""
