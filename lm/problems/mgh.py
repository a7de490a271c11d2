"""Placeholder, filled below."""
MGH_PROBLEMS = {}
