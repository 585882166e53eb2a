"""The one home of visits: planned windows (rules), timing and status (selectors), which
forms a visit needs and when it is done (completion), the visit date and its deviations,
whether a subject accepts data dated D (accepts), and the visit reminders (reminders).

`SubjectVisit` itself stays in `enrollment.models` (its table and history are unchanged)."""
