"""Data out (issue 15): exports of the trial's data, made by the worker and kept with their
SHA-256 (`services`, `runner`), each kind registered in `kinds.EXPORT_KINDS`."""
