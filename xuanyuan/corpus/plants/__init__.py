"""Injectors for the planted defects that each pipeline stage is expected to catch."""
