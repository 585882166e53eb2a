"""Messages written in their recipient's language.

A reminder or an alert is put in the outbox for several people at once, by a worker with no
request: its subject and body are kept untranslated (`later(gettext_lazy("..."), facts)`) and
made into text for each recipient under that person's language (`notifications_queue`).
"""

from django.utils.functional import Promise


class Later:
    """A message and its facts, turned into text when str() is called: in the language active
    then (`translation.override(recipient's language)`)."""

    __slots__ = ("facts", "message", "suffix")

    def __init__(self, message, facts=None, suffix=""):
        self.message = message
        self.facts = facts
        self.suffix = suffix

    def __str__(self) -> str:
        text = str(self.message)
        if self.facts is not None:
            text = text % {k: _text(v) for k, v in self.facts.items()}
        return text + _text(self.suffix)

    def __add__(self, other) -> "Later":
        return Later(self.message, self.facts, _join(self.suffix, other))

    def __bool__(self) -> bool:
        return True


def _join(a, b):
    return Later("", None, b) if not a else Later(a, None, b)


def _text(value):
    return str(value) if isinstance(value, Promise | Later) else value


def later(message, facts: dict | None = None) -> Later:
    """`message` (a gettext_lazy string) with its %(name)s facts, made text at str() time."""
    return Later(message, facts)
