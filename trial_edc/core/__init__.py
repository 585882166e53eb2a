"""Shared vocabulary of the base layer: problems, clock, transitions, pdf, charts, people,
links, forms and the registry that trial apps plug into. Imports no trial app."""
