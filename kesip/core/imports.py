"""Import of registry rows from CSV or XLSX: validate every row, then write all or nothing.

Each row goes through the registry's own ModelForm, so an imported record obeys exactly the
rules of one typed in by hand (personal-number checks, uniqueness within the institution).
Rows are also checked against each other for duplicate keys within the file.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kesip.core.exports import xlsx_bytes


class ImportFileError(Exception):
    """The file cannot be read at all (wrong format, empty, too big, no header)."""


@dataclass
class RowResult:
    number: int
    values: dict
    errors: list = field(default_factory=list)  # (column, message)


@dataclass
class Importer:
    """How rows of a file map onto a registry form."""

    fields: list  # form field names, in template order
    unique_keys: list = field(default_factory=list)  # fields whose value must not repeat in a file
    lookups: dict = field(default_factory=dict)  # FK field -> attribute to match the cell against

    def headers(self, form_class):
        labels = {}
        for name in self.fields:
            labels[name] = str(form_class._meta.model._meta.get_field(name).verbose_name)
        return labels

    def template_xlsx(self, form_class):
        return xlsx_bytes("import", list(self.fields), [[self.headers(form_class)[n] for n in self.fields]])


def read_table(uploaded):
    """Rows of an uploaded CSV or XLSX file as a header list and a list of row lists."""
    name = (uploaded.name or "").lower()
    if uploaded.size and uploaded.size > settings.KESIP_IMPORT_MAX_BYTES:
        raise ImportFileError(_("The file is larger than %(mb)s MB.") % {"mb": settings.KESIP_IMPORT_MAX_BYTES // (1024 * 1024)})
    data = uploaded.read()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        rows = _read_xlsx(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        rows = _read_csv(data)
    else:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    rows = [r for r in rows if any(str(c).strip() for c in r)]
    if not rows:
        raise ImportFileError(_("The file is empty."))
    if len(rows) - 1 > settings.KESIP_IMPORT_MAX_ROWS:
        raise ImportFileError(_("The file has more than %(n)s rows; split it.") % {"n": settings.KESIP_IMPORT_MAX_ROWS})
    header = [str(c).strip() for c in rows[0]]
    return header, rows[1:]


def _read_xlsx(data):
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from None
    ws = wb.worksheets[0]
    rows = []
    for row in ws.iter_rows(values_only=True):
        rows.append([_cell(c) for c in row])
    wb.close()
    return rows


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(data):
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4096]:
        raise ImportFileError(_("The CSV file is not in UTF-8 or Windows-1251 encoding."))
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is not in UTF-8 or Windows-1251 encoding."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]


def _match_columns(importer, form_class, header):
    """Map each file column to a form field by its code or its label in the active language."""
    labels = importer.headers(form_class)
    by_name = {n.lower(): n for n in importer.fields}
    by_name.update({label.lower(): n for n, label in labels.items()})
    mapping, unknown = {}, []
    for index, title in enumerate(header):
        key = by_name.get(title.lower())
        if key:
            mapping[index] = key
        elif title:
            unknown.append(title)
    return mapping, unknown


def _choice_value(model_field, raw):
    """Accept a choice's code or its label (any case) for a choice field."""
    if not model_field.choices or raw == "":
        return raw
    for code, label in model_field.flatchoices:
        if raw.lower() in (str(code).lower(), str(label).lower()):
            return code
    return raw


def validate_rows(importer, form_class, user, institution, header, rows):
    """Validate every row; returns (results, column errors, forms ready to save)."""
    model = form_class._meta.model
    mapping, unknown = _match_columns(importer, form_class, header)
    problems = []
    if unknown:
        problems.append(_("Unknown columns: %(cols)s.") % {"cols": ", ".join(unknown)})
    results, forms, seen = [], [], {k: {} for k in importer.unique_keys}
    lookup_cache = {}
    for offset, row in enumerate(rows):
        number = offset + 2  # the header is spreadsheet row 1
        values = {mapping[i]: (row[i] if i < len(row) else "") for i in mapping}
        result = RowResult(number=number, values=values)
        data = {"institution": institution.pk}
        for name, raw in values.items():
            model_field = model._meta.get_field(name)
            if name in importer.lookups and raw:
                attr = importer.lookups[name]
                key = (name, raw)
                if key not in lookup_cache:
                    related = model_field.related_model.objects.filter(institution=institution, **{attr: raw}).first()
                    lookup_cache[key] = related.pk if related else None
                if lookup_cache[key] is None:
                    result.errors.append(
                        (
                            name,
                            _("No %(what)s “%(value)s” in this institution.") % {"what": model_field.verbose_name, "value": raw},
                        )
                    )
                    continue
                data[name] = lookup_cache[key]
            elif model_field.get_internal_type() == "BooleanField":
                if raw.lower() in ("1", "yes", "true", "да", "ооба", "иә", "+", str(_("yes")).lower()):
                    data[name] = "on"
            else:
                data[name] = _choice_value(model_field, raw)
        for key in importer.unique_keys:
            v = values.get(key, "")
            if v:
                if v in seen[key]:
                    result.errors.append((key, _("Repeats row %(row)s of this file.") % {"row": seen[key][v]}))
                else:
                    seen[key][v] = number
        for name in form_class._meta.fields:
            model_field = model._meta.get_field(name)
            if data.get(name) in (None, "") and model_field.has_default() and not model_field.is_relation:
                default = model_field.get_default()
                if model_field.get_internal_type() == "BooleanField":
                    if default:
                        data[name] = "on"
                else:
                    data[name] = default
        form = form_class(data, instance=model(institution=institution), user=user)
        if not form.is_valid():
            for fname, errs in form.errors.items():
                for e in errs:
                    result.errors.append((fname if fname != "__all__" else "", e))
        forms.append(form)
        results.append(result)
    return results, problems, forms


def save_all(forms):
    """Write every row in one transaction; nothing is written if any save fails."""
    with transaction.atomic():
        return [f.save() for f in forms]
