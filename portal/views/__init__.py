"""The pages that bring every app together: home pages by role, the subject dashboard and
the treatment-day page."""
