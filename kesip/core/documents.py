"""Official documents from one description, printed as PDF (WeasyPrint) or as editable DOCX (python-docx).

A module that issues a document (an agreement, an order, a diary, a review, a certificate, a
report) builds an `Official` — letterhead, title, number and date, blocks of content, signature
blocks, an optional QR link — inside `translation.override(language)`, so every label is in the
language asked for. `render(official, fmt, filename)` answers the HTTP response; `as_bytes` gives
the file itself (to store with its hash).
"""

import base64
import datetime
import hashlib
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format

from kesip.core.pdf import DOCUMENT_LANGUAGES, document_language

FORMATS = ("pdf", "docx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def heading(text):
    return {"kind": "heading", "text": str(text)}


def paragraph(text, bold=False):
    return {"kind": "paragraph", "text": str(text), "bold": bold}


def fields(pairs):
    """Label–value lines (a passport block); empty values are left out."""
    return {"kind": "fields", "pairs": [(str(k), str(v)) for k, v in pairs if v not in (None, "")]}


def table(header, rows, widths=None, total=None):
    """A table: header labels, rows of cell values, optional column widths in per cent and a total row."""
    return {
        "kind": "table",
        "header": [str(h) for h in header],
        "rows": [["" if c is None else str(c) for c in row] for row in rows],
        "widths": widths or [],
        "total": ["" if c is None else str(c) for c in total] if total else None,
    }


def chart(title, bars, unit=""):
    """A horizontal bar chart: (label, value) pairs; the longest bar is the largest value."""
    top = max((float(v) for _label, v in bars), default=0) or 1
    return {
        "kind": "chart",
        "title": str(title),
        "unit": str(unit),
        "bars": [(str(label), v, round(float(v) * 100 / top, 1)) for label, v in bars],
    }


# Languages whose dates write the month in lower case (“28 мамыр 2025”); Django's kk catalogue capitalises it.
LOWER_CASE_MONTHS = ("kk",)


def day(value, language=None):
    """A date as the document's language writes it (“12 March 2025”, “12 марта 2025”, “12 наурыз 2025”).

    `language` is the document's; without it, the active language (a builder runs inside
    `translation.override(language)`). A document never takes the month from the reader's interface language.
    """
    if not value:
        return ""
    lang = (language or translation.get_language() or "ru").split("-")[0]
    with translation.override(lang):
        text = date_format(value, "j E Y")
    if lang in LOWER_CASE_MONTHS:
        text = text.lower()
    return text


def institution_name(institution, language=None):
    lang = (language or translation.get_language() or "ru").split("-")[0]
    return getattr(institution, f"full_name_{lang}", "") or institution.full_name or str(institution)


@dataclass
class Official:
    institution: object
    title: str
    number: str = ""
    dated: datetime.date | None = None
    place: str = ""
    subtitle: str = ""
    letterhead: tuple | None = None  # (name, address, …): another letterhead than the institution's (an employer's)
    logo: bytes = b""  # a PNG or JPEG printed at the left of the letterhead (the employer's, F2)
    blocks: list = field(default_factory=list)
    signatures: list = field(default_factory=list)  # (position, name) pairs
    qr_url: str = ""
    qr_caption: str = ""
    footer: str = ""
    language: str = "ru"

    @property
    def dated_text(self):
        """The document's date in the document's language (whatever language the reader's pages are in)."""
        return day(self.dated, self.language)

    @property
    def letterhead_lines(self):
        if self.letterhead:
            return [line for line in self.letterhead if line]
        return [institution_name(self.institution, self.language), getattr(self.institution, "legal_address", "")]

    @property
    def logo_type(self):
        return "png" if self.logo.startswith(b"\x89PNG") else "jpeg"


def qr_png(url, box_size=4):
    import qrcode

    image = qrcode.make(url, box_size=box_size, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _pdf(official):
    from weasyprint import HTML

    qr = base64.b64encode(qr_png(official.qr_url)).decode() if official.qr_url else ""
    logo = base64.b64encode(official.logo).decode() if official.logo else ""
    with translation.override(official.language):
        html = render_to_string(
            "core/official_document.html", {"doc": official, "qr": qr, "logo": logo, "LANGUAGE_CODE": official.language}
        )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _docx(official):
    with translation.override(official.language):
        return _docx_bytes(official)


def _docx_bytes(official):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin, section.top_margin, section.bottom_margin = Cm(2.5), Cm(1.5), Cm(1.5), Cm(1.5)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "DejaVu Sans", Pt(10)
    if official.logo:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run().add_picture(io.BytesIO(official.logo), height=Cm(2))
    for i, line in enumerate(official.letterhead_lines):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(line)
        run.bold = i == 0
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(official.title.upper())
    run.bold, run.font.size = True, Pt(13)
    if official.subtitle:
        p = doc.add_paragraph(official.subtitle)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if official.number or official.dated or official.place:
        meta = doc.add_table(rows=1, cols=2)
        left = " ".join(x for x in (official.dated_text, official.place) if x)
        meta.cell(0, 0).text = left
        meta.cell(0, 1).text = f"№ {official.number}" if official.number else ""
        meta.cell(0, 1).paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for block in official.blocks:
        kind = block["kind"]
        if kind == "heading":
            p = doc.add_paragraph()
            p.add_run(block["text"]).bold = True
        elif kind == "paragraph":
            p = doc.add_paragraph()
            p.add_run(block["text"]).bold = block.get("bold", False)
        elif kind == "fields":
            t = doc.add_table(rows=0, cols=2)
            for label, value in block["pairs"]:
                row = t.add_row().cells
                row[0].text, row[1].text = label, value
        elif kind == "table":
            columns = len(block["header"])
            t = doc.add_table(rows=1, cols=columns)
            t.style = "Table Grid"
            for i, h in enumerate(block["header"]):
                t.rows[0].cells[i].text = h
                for r in t.rows[0].cells[i].paragraphs[0].runs:
                    r.bold = True
            for values in [*block["rows"], *([block["total"]] if block["total"] else [])]:
                row = t.add_row().cells
                for i, value in enumerate(values[:columns]):
                    row[i].text = value
        elif kind == "chart":
            p = doc.add_paragraph()
            p.add_run(block["title"]).bold = True
            for label, value, _width in block["bars"]:
                doc.add_paragraph(f"{label}: {value} {block['unit']}".strip(), style="List Bullet")
    if official.signatures:
        doc.add_paragraph()
        t = doc.add_table(rows=0, cols=3)
        for position, name in official.signatures:
            row = t.add_row().cells
            row[0].text, row[1].text, row[2].text = position, "____________", name
    if official.qr_url:
        doc.add_paragraph()
        doc.add_picture(io.BytesIO(qr_png(official.qr_url, box_size=3)), width=Cm(2.6))
        doc.add_paragraph(f"{official.qr_caption} {official.qr_url}".strip())
    if official.footer:
        doc.add_paragraph(official.footer)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def as_bytes(official, fmt):
    if fmt not in FORMATS:
        raise ValueError(fmt)
    return _pdf(official) if fmt == "pdf" else _docx(official)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def requested(request):
    """The (format, language) a document link asks for: `?format=pdf|docx&lang=ky|ru|kk|en`; a wrong format is 404."""
    fmt = request.GET.get("format", "pdf")
    if fmt not in FORMATS:
        raise Http404
    return fmt, document_language(request)


def render(build, request, filename, keep=None):
    """Build the document in the language asked for and answer it in the format asked for.

    `build(language)` returns an Official; it is called inside `translation.override(language)`.
    `keep` (a `kesip.documents.archive.Keep`) names the final record the document belongs to: its
    first print is stored with its SHA-256 and every later download answers that original.
    """
    from kesip.documents import archive

    fmt, language = requested(request)

    def make(fmt, language):
        with translation.override(language):
            official = build(language)
            official.language = language
        return as_bytes(official, fmt)

    return archive.serve(request, keep, make, fmt, language, filename)


__all__ = [
    "DOCUMENT_LANGUAGES",
    "Official",
    "as_bytes",
    "chart",
    "day",
    "fields",
    "heading",
    "institution_name",
    "paragraph",
    "render",
    "requested",
    "sha256",
    "table",
]
