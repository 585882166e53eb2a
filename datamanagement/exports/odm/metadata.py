"""The ODM 1.3.2 study definition, made from the CRF registry and `study()`: every registered
CRF model is a FormDef with one ItemGroupDef, every concrete field (but the id) an ItemDef —
a new CRF is exported with no change here.

OIDs: `SE.<visit code>` (and `SE.COMMON` for records that belong to no visit: screening-time
forms, daily records, adverse events, medications), `F.<app>.<MODEL>`, `IG.<app>.<MODEL>`,
`IT.<app>.<MODEL>.<field>`, `CL.<app>.<MODEL>.<field>`, `MU.<unit>`.

The eligibility criteria travel word for word twice: in the Protocol's Description, and as
the Question of the checklist's criterion items (their labels are the protocol's wording).
ConditionDef is not used for them: in ODM it is the condition under which an item is *not*
collected, which a criterion is not."""

import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core import validators
from django.db import models
from django.utils import translation

from datamanagement.places import visit_lookup
from trial_edc.core import registry
from trial_edc.study import study

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
COMMON_EVENT = "SE.COMMON"
MDV_OID = "MDV.1"
# Django's language code -> xml:lang (BCP 47)
LANGUAGES = tuple(
    (code, "zh-Hans" if code == "zh-hans" else code) for code, _ in settings.LANGUAGES
)


def E(tag: str, attrib=None, **extra):
    """An ODM element to write inside the root. Unqualified on purpose: the root declares the
    ODM namespace as the default one, so the tag is read back in it; a qualified element
    written by `xmlfile` would repeat the namespace declaration on every element."""
    from lxml import etree

    return etree.Element(tag, attrib or {}, **extra)


def sub(parent, tag: str, attrib=None, **extra):
    from lxml import etree

    return etree.SubElement(parent, tag, attrib or {}, **extra)


def study_oid() -> str:
    return f"S.{study().protocol_id}"


def translated(text) -> list[tuple[str, str]]:
    """A lazy label rendered in each UI language: [(xml:lang, text)]."""
    out = []
    for code, lang in LANGUAGES:
        with translation.override(code):
            out.append((lang, str(text)))
    return out


@dataclass(frozen=True)
class Item:
    oid: str
    field: models.Field
    name: str  # the field's name
    attname: str  # the column's attribute (subject_id for a foreign key)
    data_type: str
    length: int | None
    digits: int | None
    cdash: str
    unit: str
    codelist: str  # its CodeList's OID ("" if none)
    ranges: tuple[tuple[str, str], ...]  # (Comparator, CheckValue)


@dataclass(frozen=True)
class Form:
    crf: registry.CrfModel
    oid: str
    group_oid: str
    items: tuple[Item, ...]
    by_visit: bool  # its records belong to a visit of the schedule

    @property
    def model(self):
        return self.crf.model


def _code(model) -> str:
    return f"{model._meta.app_label}.{model.__name__.upper()}"


def _data_type(f: models.Field) -> str:
    if isinstance(f, models.BooleanField):
        return "boolean"
    if isinstance(f, models.DateTimeField):
        return "datetime"
    if isinstance(f, models.DateField):
        return "date"
    if isinstance(f, models.TimeField):
        return "time"
    if isinstance(f, models.DecimalField | models.FloatField):
        return "float"
    if isinstance(f, models.IntegerField | models.AutoField) or f.is_relation:
        return "integer"
    return "text"


@cache
def known_units() -> frozenset[str]:
    """The units the study configuration names (ranges of vital signs, gases, lung function,
    laboratory tests and their conversions)."""
    s = study()
    units = set()
    for value in vars(s).values():
        if hasattr(value, "unit") and isinstance(value.unit, str):
            units.add(value.unit)
    for vital in s.vitals:
        units |= {vital.plausible.unit, vital.normal.unit}
    for test in s.labs:
        units.add(test.unit)
        units |= {u for u, _ in test.conversions}
    return frozenset(u for u in units if u and u != "fraction")


def _unit(crf, f) -> str:
    explicit = getattr(crf, "units", {}) or {}
    if f.name in explicit:
        return explicit[f.name]
    with translation.override("en"):
        label = str(f.verbose_name)
    match = re.search(r"\(([^()]+)\)\s*$", label)
    return match.group(1) if match and match.group(1) in known_units() else ""


def _ranges(f) -> tuple[tuple[str, str], ...]:
    out = []
    for v in f.validators:
        if isinstance(v, validators.MinValueValidator) and not callable(v.limit_value):
            out.append(("GE", str(v.limit_value)))
        elif isinstance(v, validators.MaxValueValidator) and not callable(v.limit_value):
            out.append(("LE", str(v.limit_value)))
    return tuple(out)


def item_fields(model) -> list[models.Field]:
    """The fields of a CRF that are items: every concrete field but the id."""
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _form(crf, identifying: bool) -> Form:
    code = _code(crf.model)
    cdash = getattr(crf, "cdash", {}) or {}
    hidden = () if identifying else tuple(getattr(crf, "identifying", ()) or ())
    items = []
    for f in item_fields(crf.model):
        if f.name in hidden:
            continue
        data_type = _data_type(f)
        length = None
        digits = None
        if isinstance(f, models.CharField) and f.max_length:
            length = f.max_length
        elif isinstance(f, models.DecimalField):
            length, digits = f.max_digits, f.decimal_places
        items.append(
            Item(
                oid=f"IT.{code}.{f.name}",
                field=f,
                name=f.name,
                attname=f.attname,
                data_type=data_type,
                length=length,
                digits=digits,
                cdash=cdash.get(f.name) or f.name.upper(),
                unit=_unit(crf, f),
                codelist=f"CL.{code}.{f.name}" if f.choices else "",
                ranges=_ranges(f),
            )
        )
    return Form(
        crf=crf,
        oid=f"F.{code}",
        group_oid=f"IG.{code}",
        items=tuple(items),
        by_visit=visit_lookup(crf) is not None,
    )


def forms(*, identifying: bool = True) -> list[Form]:
    """Every registered CRF, in the registry's order; without the fields that identify a
    person (`CrfModel.identifying`) unless `identifying`."""
    return [_form(crf, identifying) for crf in registry.crf_models]


def _visit_form_oids(visit) -> set[str]:
    """The FormOIDs a visit requires (its visit forms that have a model)."""
    out = set()
    for key in visit.forms:
        entry = registry.visit_forms.get(key)
        if entry is not None and entry.model is not None:
            out.add(f"F.{_code(entry.model)}")
    return out


def _text_element(xf, tag: str, texts) -> None:
    with xf.element(tag):
        for lang, text in texts:
            el = E("TranslatedText", {XML_LANG: lang})
            el.text = text
            xf.write(el)


def _criteria_texts() -> list[tuple[str, str]]:
    s = study()
    out = []
    for code, lang in LANGUAGES:
        with translation.override(code):
            from django.utils.translation import gettext as _

            inclusion, exclusion = _("Inclusion"), _("Exclusion")
            lines = [f"{inclusion} {c.number}. {c.text}" for c in s.inclusion]
            lines += [f"{exclusion} {c.number}. {c.text}" for c in s.exclusion]
            out.append((lang, "\n".join(lines)))
    return out


def write_study(xf, all_forms: list[Form]) -> None:
    """The Study element: GlobalVariables, BasicDefinitions, MetaDataVersion."""
    s = study()

    def leaf(tag, text, **attrs):
        el = E(tag, {k: v for k, v in attrs.items() if v not in (None, "")})
        if text is not None:
            el.text = text
        xf.write(el)

    units = sorted({i.unit for f in all_forms for i in f.items if i.unit})
    with xf.element("Study", OID=study_oid()):
        with xf.element("GlobalVariables"):
            leaf("StudyName", s.protocol_id)
            leaf("StudyDescription", s.title)
            leaf("ProtocolName", s.protocol_id)
        if units:
            with xf.element("BasicDefinitions"):
                for unit in units:
                    with xf.element("MeasurementUnit", OID=f"MU.{unit}", Name=unit):
                        _text_element(xf, "Symbol", [(lang, unit) for _, lang in LANGUAGES])
        with xf.element("MetaDataVersion", OID=MDV_OID, Name=f"{s.protocol_id} CRFs"):
            with xf.element("Protocol"):
                _text_element(xf, "Description", _criteria_texts())
                for order, visit in enumerate(s.visits, start=1):
                    leaf(
                        "StudyEventRef",
                        None,
                        StudyEventOID=f"SE.{visit.code}",
                        OrderNumber=str(order),
                        Mandatory="Yes",
                    )
                leaf(
                    "StudyEventRef",
                    None,
                    StudyEventOID=COMMON_EVENT,
                    OrderNumber=str(len(s.visits) + 1),
                    Mandatory="No",
                )
            for visit in s.visits:
                required = _visit_form_oids(visit)
                with xf.element(
                    "StudyEventDef",
                    OID=f"SE.{visit.code}",
                    Name=visit.name,
                    Repeating="No",
                    Type="Scheduled",
                ):
                    _text_element(xf, "Description", translated(visit.name))
                    for form in (f for f in all_forms if f.by_visit):
                        leaf(
                            "FormRef",
                            None,
                            FormOID=form.oid,
                            Mandatory="Yes" if form.oid in required else "No",
                        )
            with xf.element(
                "StudyEventDef",
                OID=COMMON_EVENT,
                Name="Subject-level and log forms",
                Repeating="No",
                Type="Common",
            ):
                for form in all_forms:  # a visit form's record may belong to no visit
                    leaf("FormRef", None, FormOID=form.oid, Mandatory="No")
            for form in all_forms:
                meta = form.model._meta
                with xf.element("FormDef", OID=form.oid, Name=meta.label_lower, Repeating="Yes"):
                    _text_element(xf, "Description", translated(meta.verbose_name))
                    leaf("ItemGroupRef", None, ItemGroupOID=form.group_oid, Mandatory="Yes")
            for form in all_forms:
                meta = form.model._meta
                with xf.element(
                    "ItemGroupDef",
                    OID=form.group_oid,
                    Name=meta.label_lower,
                    Repeating="No",
                ):
                    _text_element(xf, "Description", translated(meta.verbose_name))
                    for order, item in enumerate(form.items, start=1):
                        leaf(
                            "ItemRef",
                            None,
                            ItemOID=item.oid,
                            OrderNumber=str(order),
                            Mandatory="No" if (item.field.null or item.field.blank) else "Yes",
                        )
            for form in all_forms:
                for item in form.items:
                    _write_item_def(xf, item, leaf)
            for form in all_forms:
                for item in form.items:
                    if item.codelist:
                        _write_codelist(xf, item)


def _sas_name(name: str) -> str | None:
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,7}", name) else None


def _write_item_def(xf, item: Item, leaf) -> None:
    attrs = {
        "OID": item.oid,
        "Name": item.name,
        "DataType": item.data_type,
        "Length": str(item.length) if item.length else None,
        "SignificantDigits": str(item.digits) if item.digits is not None else None,
        "SDSVarName": _sas_name(item.cdash),
    }
    with xf.element("ItemDef", {k: v for k, v in attrs.items() if v}):
        question = translated(item.field.verbose_name)
        _text_element(xf, "Question", question)
        if item.unit:
            leaf("MeasurementUnitRef", None, MeasurementUnitOID=f"MU.{item.unit}")
        for comparator, value in item.ranges:
            with xf.element("RangeCheck", Comparator=comparator, SoftHard="Hard"):
                leaf("CheckValue", value)
        if item.codelist:
            leaf("CodeListRef", None, CodeListOID=item.codelist)
        leaf("Alias", None, Context="CDASH", Name=item.cdash)


def _write_codelist(xf, item: Item) -> None:
    data_type = "integer" if item.data_type == "integer" else "text"
    with xf.element("CodeList", OID=item.codelist, Name=item.name, DataType=data_type):
        for value, label in item.field.flatchoices:
            if value in (None, ""):
                continue
            with xf.element("CodeListItem", CodedValue=str(value)):
                _text_element(xf, "Decode", translated(label))
