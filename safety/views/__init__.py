"""Thin views: vital signs, adverse events and SAEs, signing, listings and reports."""
