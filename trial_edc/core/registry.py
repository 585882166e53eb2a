"""What trial apps plug into the base, registered in their `AppConfig.ready()`.

The base (notifications, the home page, later data management and exports) asks these
registries instead of importing a trial app:

- `crf_models`: every CRF model (`CrfModel`), for pages, queries and exports;
- `visit_forms`: the forms a visit can require (`VisitForm`), keyed as in `study().visits`;
- `reminder_sources`: who finds a reminder kind due and says whether it is still needed;
- `dashboard_panels`: the panels of the subject dashboard, in order;
- `home_tasks`: what waits for a person on the home page (label, count, link);
- `worklists`: the same, line by line (each a link to where the work is done), for today;
- `treatment_sources`: what was given of the study treatment (`treatment_facts`), for the
  schedule's visits counted from the last dose;
- `death_checks`: what a death needs on file before it ends a subject's study;
- `record_parts`: what data management shows with a saved CRF record on its page;
- `lock_blockers`: what stands in the way of the database lock (open queries, unverified
  critical items, unsigned AEs, unsigned casebooks...);
- `unlock_effects`: what an unlock reopens besides the data (signatures it voids, source
  data verification it makes stale), listed in the unlock's audited entry;
- `after_save_hooks`: what runs after a CRF page saved a record (`core.forms.crf_save`):
  data management's edit checks for the record's subject;
- `edit_checks`: edit checks a trial app brings to data management's automatic queries
  (safety: a laboratory AE proposal not decided), run with data management's own;
- `signature_sources`: the electronic signatures kept (AE signatures, casebook sign-offs),
  for the archival ODM export.

(The site overview's counts per site register with `accounts.selectors.site_count_register`,
since accounts sits below core.)
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date


class Registry:
    """An ordered set of entries, each with a unique key."""

    def __init__(self, name: str):
        self.name = name
        self._entries: dict = {}

    def register(self, entry):
        key = entry.key
        if key in self._entries and self._entries[key] != entry:
            raise ValueError(f"{self.name}: {key!r} is registered twice")
        self._entries[key] = entry
        return entry

    def get(self, key):
        return self._entries.get(key)

    def __getitem__(self, key):
        return self._entries[key]

    def __contains__(self, key) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator:
        return iter(sorted(self._entries.values(), key=lambda e: getattr(e, "order", 0)))

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True)
class CrfModel:
    """A case report form: its model and the path from it to the subject (for scoping).
    `api_name`: the path of its read-API endpoint when it has a name of its own ("subjects",
    "adverse-events"); the others are `forms/<app_label>.<model_name>`.

    For the exports (datamanagement.exports): `cdash` names a field's column where its CDASH
    variable name is not the field's name upper-cased (`{"date_of_birth": "BRTHDTC"}`);
    `identifying` lists the fields that identify a person (exported only to the roles that
    may see them); `date_field` is the field holding the record's date (its study day; by
    default the visit's date, else the first date field); `ranges` gives a field's expected
    range from the study configuration (`{"temp": "30-45 °C"}`), where no validator says it."""

    model: type
    subject_path: str | None = "subject"  # None: a screening-time form (no subject yet)
    order: int = 0
    api_name: str = ""
    cdash: dict = field(default_factory=dict, compare=False, hash=False)
    identifying: tuple[str, ...] = ()
    date_field: str = ""
    ranges: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        return self.model._meta.label_lower


@dataclass(frozen=True)
class VisitForm:
    """A form a visit can require: its label, the URL name of its page (args: subject id,
    visit code) and its model (None for the visit date, which is a field of the visit).
    `records_death`: the lookups by which a saved record of it reports the subject's death
    (then that form alone completes the visit)."""

    key: str
    label: str
    url_name: str
    model: type | None
    order: int = 0
    records_death: dict | None = None


@dataclass(frozen=True)
class ReminderSource:
    """Finds the reminders of `kinds` due at a run, and says at send time why one is no
    longer needed ("" if it still is).

    `due(now, days, staff)` -> list of notifications.services.Message, a fixed number of
    queries whatever the subjects; `why_not_needed(notification)` -> str."""

    key: str
    kinds: tuple[str, ...]
    due: Callable
    why_not_needed: Callable
    order: int = 0


@dataclass(frozen=True)
class DashboardPanel:
    """A panel of the subject dashboard: `context(request, subject)` -> dict for `template`;
    shown to users with `permission` (app_label.codename)."""

    key: str
    template: str
    context: Callable
    permission: str = ""
    order: int = 0


@dataclass(frozen=True)
class HomeTask:
    """Something waiting for a person: `count(user)` -> int (one query), shown to users
    with `permission`, linking to the page named `url_name`."""

    key: str
    label: str
    count: Callable
    url_name: str
    permission: str
    order: int = 0


@dataclass(frozen=True)
class WorkItem:
    """One line of a worklist: what to do, and the page where it is done."""

    text: str
    url: str
    site: str = ""  # the site's code, shown when the user has several sites
    detail: str = ""


@dataclass(frozen=True)
class Worklist:
    """Work waiting today for a person, on their home page: `items(user)` -> list of
    WorkItem for the user's sites, by each site's own clock, in a constant number of queries
    whatever the subjects; shown to users with `permission`."""

    key: str
    label: str
    items: Callable
    permission: str
    order: int = 0


@dataclass(frozen=True)
class TreatmentFacts:
    """What the treatment record says of one subject."""

    last_given: date | None  # the date of the last dose actually given (None: none yet)
    last_day_recorded: bool  # the last treatment day has its record (given or not)


NO_TREATMENT = TreatmentFacts(last_given=None, last_day_recorded=False)


@dataclass(frozen=True)
class TreatmentSource:
    """The app that records the study treatment: `facts(subject_id)` -> TreatmentFacts
    (one query)."""

    key: str
    facts: Callable
    order: int = 0


@dataclass(frozen=True)
class DeathCheck:
    """What a death needs on file before it ends a subject's study, whatever the path:
    `problems(subject, on)` -> list of core.problems.Problem (registered by safety: a fatal
    adverse event)."""

    key: str
    problems: Callable
    order: int = 0


@dataclass(frozen=True)
class RecordPart:
    """Something shown with a saved CRF record on its page (`core.forms.crf_page`): its
    queries, its verification, its freeze or lock. `context(request, record)` -> dict for
    `template`, included above the form; `annotate_form(request, form)` may mark fields
    (a badge next to a field); `read_only(record)` -> True when the record may not be saved
    (frozen or locked): the page then shows no save button."""

    key: str
    template: str
    context: Callable
    annotate_form: Callable | None = None
    read_only: Callable | None = None
    order: int = 0


@dataclass(frozen=True)
class LockBlocker:
    """One kind of thing that stands in the way of the database lock: `blockers()` -> list of
    (text, link) pairs, each one thing to resolve and the page where it is resolved (link may
    be ""); an empty list when nothing of this kind blocks. A fixed number of queries."""

    key: str
    label: str
    blockers: Callable
    order: int = 0


@dataclass(frozen=True)
class UnlockEffect:
    """What an unlock does besides reopening the data: `effects(scope)` -> list of texts (e.g.
    "Signature of AE 12 voided"), doing it in the unlock's transaction. `scope` is a dict:
    {"level": "study"|"subject"|"visit"|"record", "subject_ids": [...] (None: every subject),
    "visit_id": ..., "record": (model label, pk)}."""

    key: str
    effects: Callable
    order: int = 0


@dataclass(frozen=True)
class AfterSave:
    """Run after a CRF page saved a record, once the save is committed: `run(record)` (the
    form's instance). A failure is logged and never breaks the save."""

    key: str
    run: Callable
    order: int = 0


@dataclass(frozen=True)
class EditCheck:
    """An edit check a trial app brings to the automatic queries: `failing(subject_ids)` (None:
    every subject) -> list of dicts with the keys of data management's `Finding` (label,
    record_id, field, site_id, subject_id, visit_id, text), in a constant number of queries.
    `version`: raise it when the rule changes. `model_label`: the CRF it reads; `reads`: the
    labels of other models a save of which can change its findings (a CRF page's save runs
    the checks that read its model, no other)."""

    key: str
    version: int
    label: object
    model_label: str
    failing: Callable
    order: int = 0
    reads: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignatureSource:
    """A model of electronic signatures (21 CFR 11.50), read by the exports: its rows have
    `signer` (a user), `printed_name`, `signed_at`, `meaning` (the words shown when signing),
    `voided_at` and `void_reason`. `subject_path`: the lookup to the subject's id;
    `record_field`: the foreign key to the CRF record signed ("" when the signature covers the
    subject's whole casebook)."""

    key: str
    model: type
    subject_path: str
    record_field: str = ""
    order: int = 0


crf_models = Registry("CRF models")
visit_forms = Registry("visit forms")
reminder_sources = Registry("reminder sources")
dashboard_panels = Registry("dashboard panels")
home_tasks = Registry("home-page tasks")
worklists = Registry("home-page worklists")
treatment_sources = Registry("treatment sources")
death_checks = Registry("death checks")
record_parts = Registry("record parts")
lock_blockers = Registry("database-lock blockers")
unlock_effects = Registry("unlock effects")
after_save_hooks = Registry("after-save hooks")
edit_checks = Registry("edit checks")
signature_sources = Registry("signature sources")


def reminder_source_of(kind: str) -> ReminderSource | None:
    return next((s for s in reminder_sources if kind in s.kinds), None)


def treatment_facts(subject_id: int) -> TreatmentFacts:
    """What the registered treatment source knows of the subject (nothing if none is)."""
    source = next(iter(treatment_sources), None)
    return source.facts(subject_id) if source is not None else NO_TREATMENT


@dataclass(frozen=True)
class SubjectFact:
    """What an app reads with a subject, in the subject's own query: with each subject of the
    user's sites for the home page's worklists (`enrollment.schedule.selectors.subjects_of`)
    and with the subject of the dashboard (`enrollment.selectors.subject_dashboard`).
    `annotations()` -> {name: expression over the subject's row (OuterRef("pk"))};
    `worklists`: False for what only the dashboard's panels read (not read with every subject
    of the home page)."""

    key: str
    annotations: Callable
    order: int = 0
    worklists: bool = True


subject_facts = Registry("subject facts")
