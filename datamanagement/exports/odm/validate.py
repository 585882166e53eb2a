"""Checks an ODM file on disk before it is offered, in one streaming pass (lxml iterparse,
each element freed once read, so a large archival file is checked in bounded memory):

1. the CDISC ODM 1.3.2 schema (the copy in `schema/`, as in ../shared/standards; with the
   trial-edc extension redefined in for a file that uses it — see extension.py): structure,
   element order, data types;
2. reference integrity: every OID referenced (StudyOID, MetaDataVersionOID, StudyEventOID,
   FormOID, ItemGroupOID, ItemOID, CodeListOID, MeasurementUnitOID, LocationOID, UserOID,
   SignatureOID, also in the extension) is defined once, by an element of the right kind; and
   the clinical data follows its definitions: a StudyEventData's event is in the Protocol, a
   FormData's form is in its event's FormRefs, an ItemGroupData's group in its form's
   ItemGroupRefs, an ItemData's item in its group's ItemRefs.

odmlib 0.2.1's OID checker (`odmlib_reference_problems`) does check 1 the same way, but it
loads the whole document as Python objects (about 1 KB per element), so it is run by the tests
on the demo study's files, not on a whole study's archival file in production."""

from collections import defaultdict
from functools import cache
from pathlib import Path

from lxml import etree

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"

# the attribute that references an OID -> the element that defines it
REFERENCES = {
    "StudyOID": "Study",
    "MetaDataVersionOID": "MetaDataVersion",
    "StudyEventOID": "StudyEventDef",
    "FormOID": "FormDef",
    "ItemGroupOID": "ItemGroupDef",
    "ItemOID": "ItemDef",
    "MethodOID": "MethodDef",
    "CodeListOID": "CodeList",
    "CollectionExceptionConditionOID": "ConditionDef",
    "MeasurementUnitOID": "MeasurementUnit",
    "LocationOID": "Location",
    "UserOID": "User",
    "SignatureOID": "SignatureDef",
    "ArchiveLayoutOID": "ArchiveLayout",
}
DEFINITIONS = set(REFERENCES.values())
MAX_MESSAGES = 50


class OdmInvalid(Exception):
    """An ODM file failed its validation; `messages` says why (shown to the data manager)."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        shown = self.messages[:10]
        more = len(self.messages) - len(shown)
        text = "The ODM file failed its validation and is not offered:\n" + "\n".join(shown)
        super().__init__(text + (f"\n… and {more} more" if more > 0 else ""))


@cache
def schema(extended: bool = True) -> etree.XMLSchema:
    name = "ODM1-3-2-trial-edc.xsd" if extended else "ODM1-3-2.xsd"
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / name)))


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def validate_file(path, *, extended: bool = True) -> list[str]:
    """Every problem of the file at `path` (an empty list: valid)."""
    problems: list[str] = []
    defined: dict[str, str] = {}  # OID -> defining element (per kind: see _key)
    refs: set[tuple[str, str]] = set()
    children: dict[tuple[str, str], set[str]] = defaultdict(set)  # (kind, OID) -> allowed
    protocol_events: set[str] = set()
    nesting: set[tuple[str, str, str]] = set()  # (kind, parent OID, child OID) seen in data
    etree.clear_error_log()
    try:
        for _, el in etree.iterparse(
            str(path), events=("end",), schema=schema(extended), huge_tree=True
        ):
            name = _local(el.tag)
            attrib = el.attrib
            if name in DEFINITIONS and "OID" in attrib:
                key = f"{name}:{attrib['OID']}"
                if key in defined:
                    problems.append(f"{name} OID {attrib['OID']!r} is defined twice")
                defined[key] = name
            for attr, value in attrib.items():
                kind = REFERENCES.get(attr)
                if kind and not (name == kind and attr == "OID"):
                    refs.add((attr, value))
            parent = el.getparent()
            pname = _local(parent.tag) if parent is not None else ""
            pattr = parent.attrib if parent is not None else {}
            if name == "StudyEventRef" and pname == "Protocol":
                protocol_events.add(attrib.get("StudyEventOID", ""))
            elif name == "FormRef" and pname == "StudyEventDef":
                children[("StudyEventDef", pattr.get("OID", ""))].add(attrib.get("FormOID", ""))
            elif name == "ItemGroupRef" and pname == "FormDef":
                children[("FormDef", pattr.get("OID", ""))].add(attrib.get("ItemGroupOID", ""))
            elif name == "ItemRef" and pname == "ItemGroupDef":
                children[("ItemGroupDef", pattr.get("OID", ""))].add(attrib.get("ItemOID", ""))
            elif name == "StudyEventData":
                nesting.add(("Protocol", "", attrib.get("StudyEventOID", "")))
            elif name == "FormData" and pname == "StudyEventData":
                nesting.add(
                    ("StudyEventDef", pattr.get("StudyEventOID", ""), attrib.get("FormOID", ""))
                )
            elif name == "ItemGroupData" and pname == "FormData":
                nesting.add(("FormDef", pattr.get("FormOID", ""), attrib.get("ItemGroupOID", "")))
            elif name == "ItemData" and pname == "ItemGroupData":
                nesting.add(
                    ("ItemGroupDef", pattr.get("ItemGroupOID", ""), attrib.get("ItemOID", ""))
                )
            # free what was read: this element's content and its earlier siblings
            el.clear(keep_tail=True)
            if parent is not None:
                while el.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as error:
        log = [f"line {e.line}: {e.message}" if e.line else e.message for e in error.error_log] or [
            str(error)
        ]
        return (log + problems)[:MAX_MESSAGES]
    for attr, oid in sorted(refs):
        kind = REFERENCES[attr]
        if f"{kind}:{oid}" not in defined:
            problems.append(f"{attr} {oid!r} is referenced but no {kind} defines it")
    for kind, parent_oid, oid in sorted(nesting):
        allowed = protocol_events if kind == "Protocol" else children.get((kind, parent_oid))
        if allowed is not None and oid not in allowed:
            where = "the Protocol" if kind == "Protocol" else f"{kind} {parent_oid!r}"
            problems.append(f"{oid!r} appears in the data but is not referenced by {where}")
    return problems[:MAX_MESSAGES]


def check_file(path, *, extended: bool = True) -> None:
    """Raise OdmInvalid with the problems of the file at `path`, if any."""
    problems = validate_file(path, extended=extended)
    if problems:
        raise OdmInvalid(problems)


def odmlib_reference_problems(data: bytes) -> list[str]:
    """odmlib's own OID uniqueness and ref/def check of a (small) ODM document."""
    from odmlib import loader as LO
    from odmlib import odm_loader as OL
    from odmlib.exceptions import OdmlibOIDError
    from odmlib.oid_generator import create_oid_checker

    loader = LO.ODMLoader(OL.XMLODMLoader(model_package="odm_1_3_2", ns_uri=ODM_NS))
    loader.create_document_from_string(data.decode())
    odm = loader.load_odm()
    try:
        odm.verify_oids(create_oid_checker("odm_1_3_2"))
    except OdmlibOIDError as error:
        return [str(error)]
    return []
