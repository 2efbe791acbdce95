"""Verify fact-check citations against an archived corpus and build the site."""

__version__ = "0.2.0"
