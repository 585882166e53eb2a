"""Reading ODM ClinicalData back: the values of a snapshot, and the state reached by replaying
an archival file's transactions (Insert / Update / Remove of item groups and items) — the two
must be equal (tests/datamanagement/test_odm_export.py). Pure Python on lxml, streaming."""

from lxml import etree

NS = "{http://www.cdisc.org/ns/odm/v1.3}"

Key = tuple[str, str, str, str]  # subject, study event, form, form repeat key


def _records(source):
    """Yield (key, ItemGroupData element) in document order, freeing what was read."""
    for _, el in etree.iterparse(source, events=("end",), tag=f"{NS}ItemGroupData"):
        form = el.getparent()
        event = form.getparent()
        subject = event.getparent()
        key = (
            subject.get("SubjectKey"),
            event.get("StudyEventOID"),
            form.get("FormOID"),
            form.get("FormRepeatKey") or "",
        )
        yield key, el
        el.clear(keep_tail=True)


def snapshot_values(source) -> dict[Key, dict[str, str]]:
    """Every record of a snapshot: its items' values."""
    state: dict[Key, dict[str, str]] = {}
    for key, group in _records(source):
        items = state.setdefault(key, {})
        for item in group.iterchildren(f"{NS}ItemData"):
            items[item.get("ItemOID")] = item.get("Value")
    return state


def replay(source) -> dict[Key, dict[str, str]]:
    """The state an archival (transactional) file's transactions leave, in file order (each
    record's transactions are in audit-chain order)."""
    state: dict[Key, dict[str, str]] = {}
    for key, group in _records(source):
        kind = group.get("TransactionType")
        if kind == "Remove":
            state.pop(key, None)
            continue
        if kind == "Insert":
            state[key] = {}
        items = state.setdefault(key, {})
        for item in group.iterchildren(f"{NS}ItemData"):
            oid, change = item.get("ItemOID"), item.get("TransactionType")
            if change == "Remove":
                items.pop(oid, None)
            elif change in ("Insert", "Update"):
                items[oid] = item.get("Value")
            else:
                raise ValueError(f"ItemData {oid} of {key}: transaction {change!r}")
    return state
