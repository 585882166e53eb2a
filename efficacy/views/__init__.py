"""The visit page and its forms (visits); change from baseline for the study (summary)."""
