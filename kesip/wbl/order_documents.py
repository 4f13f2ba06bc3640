"""The printed order: the issuer's letterhead, “ORDER”, number, date and place, the basis, “I ORDER:” and its items,
the table of lines, the responsibility item, the signature of the head and the acquaintance list.

Built as one `kesip.core.documents.Official` inside the language asked for (ky, ru, kk, en): every
label is translated, what people typed (names, an added basis) prints as typed. An outsider — an
employer's people, a student — gets an extract: only the lines of their own placements.
"""

import io
import re

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kesip.core import documents
from kesip.core.models.rulebook import localize_clause
from kesip.wbl import bases, common, letterheads
from kesip.wbl import order_rules as rules
from kesip.wbl.models import EmployerPerson, Order, PracticeType

K = Order.Kind
# The regulation's rules each kind of order rests on (their clauses are cited in the basis).
BASIS_RULES = {
    K.REFERRAL: (rules.LINE_PARTICULARS, rules.SUPERVISOR_PER_GROUP),
    K.INTERNSHIP_REFERRAL: (rules.INTERNSHIP_ORDERS, rules.INTERNSHIP_PROGRAMME),
    K.SUPERVISOR: (rules.SUPERVISOR_PER_GROUP, rules.INSTITUTION_SIGNATORY),
    K.MENTOR: (rules.MENTOR_SIGNATORY, rules.MENTOR_TERM, rules.MENTOR_REQUIRED),
    K.INTERNSHIP_ADMISSION: (rules.INTERNSHIP_ORDERS,),
}


def short(value):
    return date_format(value, "d.m.Y") if value else ""


def place_of(address):
    """The town of an address, as an order's heading names it ("Кызыл-Кыя ш.", "г. Бишкек", "Алматы қ.")."""
    parts = [p.strip() for p in (address or "").split(",") if p.strip()]
    for part in parts:
        if re.search(r"(^г\.\s?|\sш\.$|\sқ\.$|шаары|қаласы|^город\s)", part):
            return part
    rest = [p for p in parts if not re.search(r"обл|район|р-н|аймак|облыс", p)]
    return rest[0] if rest else (parts[0] if parts else "")


def _plain(label):
    """A type's name without the other names the regulation gives it: "Production practice"."""
    return re.sub(r"\s*\([^)]*\)", "", str(label)).strip()


def kind_label(line):
    """The type of practice or the form of WBL in the document's language."""
    if line.practice_type:
        return _plain(PracticeType(line.practice_type).label)
    p = line.placement
    if p is not None:
        return str(rules.form_label(p))
    return line.form_label


def _staff(person):
    return str(person) if person is not None else ""


def _short(person):
    """ "Асанова Г. К." — how an order's table names a head of practical training or a mentor."""
    if person is None:
        return ""
    initials = " ".join(f"{p[0]}." for p in (person.first_name, person.patronymic) if p)
    return f"{person.last_name} {initials}".strip()


def _category(line):
    p = line.placement
    return p.get_intern_category_display() if p is not None and p.intern_category else ""


def _agreements(lines):
    seen, found = set(), []
    for line in lines:
        a = line.placement.agreement if line.placement is not None and line.placement.agreement_id else None
        if a is not None and a.pk not in seen and a.number:
            seen.add(a.pk)
            found.append((a, line.placement.employer.name))
    return found


def _agreement_text(order, agreement, employer_name):
    values = {"number": agreement.number, "date": short(agreement.signed_on or agreement.concluded_on or agreement.starts_on)}
    values["party"] = documents.institution_name(order.institution) if order.issued_by_employer else employer_name
    return _("№ %(number)s of %(date)s with %(party)s") % values


def _basis(order, lines, book):
    """The preamble: the regulation's clauses (where they apply), the curriculum, the agreements, what people added."""
    cited = []
    for code in BASIS_RULES.get(order.kind, ()):
        r = book.get(code)
        for clause in r.clause.split(";") if r is not None else []:
            clause = localize_clause(clause.strip())  # in the document's language ("п. 57, 7-пункт")
            if clause and clause not in cited:
                cited.append(clause)
    parts = []
    if cited:
        regulation = next(book[c] for c in BASIS_RULES[order.kind] if c in book).document.title
        parts.append(_("%(clauses)s of the %(regulation)s") % {"clauses": "; ".join(cited), "regulation": regulation})
    if order.kind in (K.REFERRAL, K.SUPERVISOR):
        parts.append(_("the working curriculum and the calendar academic schedule"))
    agreements = _agreements(lines)
    if agreements:
        listed = "; ".join(_agreement_text(order, a, name) for a, name in agreements)
        parts.append(_("the agreements on work-based learning %(list)s") % {"list": listed})
    text = _("On the basis of %(basis)s,") % {"basis": "; ".join(parts)} if parts else ""
    if order.preamble:
        text = f"{text}\n{order.preamble}" if text else order.preamble
    return text


def _table(order, lines):
    """The lines table of the kind: header, rows, column widths (per cent)."""
    n = _("№")
    if order.kind == K.SUPERVISOR:
        header = [n, _("Group"), _("Programme"), _("Head of practical training"), _("Position"), _("From"), _("To")]
        rows = [
            [
                i,
                line.group or "",
                line.group.programme if line.group is not None else "",
                _staff(line.supervisor),
                line.supervisor.position if line.supervisor is not None else "",
                short(line.starts_on),
                short(line.ends_on),
            ]
            for i, line in enumerate(lines, 1)
        ]
        return header, rows, [5, 12, 25, 22, 16, 10, 10]
    if order.kind == K.MENTOR:
        header = [n, _("Mentor"), _("Position"), _("Learner"), _("Group"), _("From"), _("To")]
        rows = [
            [
                i,
                _staff(line.mentor) + (f"\n({line.replaces})" if getattr(line, "replaces", "") else ""),
                line.mentor.position if line.mentor is not None else "",
                line.learner_name,
                line.group or "",
                short(line.starts_on),
                short(line.ends_on),
            ]
            for i, line in enumerate(lines, 1)
        ]
        return header, rows, [5, 22, 15, 26, 10, 11, 11]
    if order.kind in (K.INTERNSHIP_REFERRAL, K.INTERNSHIP_ADMISSION):
        header = [n, _("Intern"), _("Category"), _("Enterprise"), _("Type of internship"), _("From"), _("To"), _("Mentor")]
        rows = [
            [
                i,
                line.learner_name,
                _category(line),
                line.employer_name,
                kind_label(line),
                short(line.starts_on),
                short(line.ends_on),
                _staff(line.mentor),
            ]
            for i, line in enumerate(lines, 1)
        ]
        return header, rows, [4, 17, 13, 17, 14, 11, 11, 13]
    header = [
        n,
        _("Learner"),
        _("Group"),
        _("Employer"),
        _("Type of practice"),
        _("Dates: from – to"),
        _("Head of practical training"),
        _("Mentor"),
    ]
    rows = [
        [
            i,
            line.learner_name,
            line.group or "",
            line.employer_name,
            kind_label(line),
            f"{short(line.starts_on)}\n{short(line.ends_on)}",
            _short(line.supervisor),
            _short(line.mentor),
        ]
        for i, line in enumerate(lines, 1)
    ]
    return header, rows, [4, 19, 9, 17, 15, 12, 12, 12]


def _control(order, lines):
    """The responsibility item: a single head of practical training, else the head keeps control."""
    heads = {line.supervisor_id: line.supervisor for line in lines if line.supervisor is not None}
    if order.kind in (K.REFERRAL, K.SUPERVISOR) and len(heads) == 1:
        return _("Control over the execution of this order is entrusted to %(name)s.") % {"name": next(iter(heads.values()))}
    return _("I reserve control over the execution of this order.")


def _items(order, lines, representative):
    """The numbered items of “I ORDER:”; the lines table follows the first one."""
    institution = documents.institution_name(order.institution)
    if order.kind == K.REFERRAL:
        first = _(
            "To send the learners listed below to work-based learning at the employers' bases, for the type of practice "
            "and the dates stated for each:"
        )
        rest = [
            _(
                "The heads of practical training named in the list give the learners methodological and consultative "
                "help, control the keeping of their diaries and enter their achievement in the journal of practical classes."
            ),
            _(
                "Before the learners begin, the heads of practical training brief them on undergoing work-based learning; "
                "the employers conduct the briefings on labour protection and technical safety and acquaint the learners "
                "with their local documents."
            ),
            _(
                "The learners keep the diary, carry out the instructions of the head of practical training and of the "
                "mentor, and observe the employer's internal rules and its safety requirements."
            ),
        ]
    elif order.kind == K.INTERNSHIP_REFERRAL:
        first = _("To send to internship the persons listed below, at the enterprises and for the dates stated:")
        rest = [
            _("The individual internship programme agreed with the enterprise is the main regulating document of each intern."),
            _("An intern who completes the internship successfully receives a certificate of completion."),
        ]
    elif order.kind == K.SUPERVISOR:
        first = _("To appoint the heads of practical training of the groups listed below:")
        rest = [
            _(
                "The heads of practical training exercise the general management of work-based learning of their groups, "
                "give the learners methodological and consultative help, control the keeping of the diaries and "
                "systematically enter the learners' achievement in the journal of practical classes and in the diary."
            ),
        ]
    elif order.kind == K.MENTOR:
        first = _(
            "To appoint as mentors of the learners of %(institution)s, for the whole term of their work-based learning, "
            "the employees listed below:"
        ) % {"institution": institution}
        rest = [
            _(
                "The mentors teach the learners practical methods of work, control the timely and good-quality completion "
                "of their tasks and make timely entries and grades in the learners' diaries."
            ),
        ]
        if representative is not None:
            rest.append(
                _("The coordination of the mentors' work is entrusted to %(name)s, %(position)s.")
                % {"name": representative, "position": representative.position}
            )
    else:
        first = _("To admit to internship the persons referred by %(institution)s listed below, for the dates stated:") % {
            "institution": institution
        }
        rest = [
            _("The mentors named in the list guide the interns according to their individual internship programmes."),
            _(
                "Before the interns begin, to conduct the briefings on labour protection and technical safety and to "
                "acquaint them with the enterprise's local documents."
            ),
        ]
    return first, [*rest, _control(order, lines)]


def _acquainted(order, lines):
    """Who signs that they have read the order: the heads of practical training, or the mentors."""
    people = []
    for line in lines:
        person = line.mentor if order.kind == K.MENTOR else line.supervisor
        if person is not None and person not in people:
            people.append(person)
    return people


def _signature(order):
    if order.signatory_position:
        position = order.signatory_position
    elif order.issued_by_employer:
        position = _("Head of the enterprise")
    else:
        position = _("Director")
    return position, order.signatory_name or ("" if order.status == Order.Status.DRAFT else "—")


def _signed_by_the_head(order):
    """Whether the login that signed the employer's order is the employer's head's own (linked among its people)."""
    return EmployerPerson.objects.filter(employer_id=order.employer_id, is_head=True, user_id=order.signed_by_id).exists()


def _footer(order, extract):
    notes = []
    if extract:
        notes.append(_("Extract: only the lines of the order that concern you."))
    if order.status == Order.Status.DRAFT:
        notes.append(_("Draft: not signed yet and without a number."))
    elif order.status == Order.Status.CANCELLED:
        notes.append(
            _("Cancelled on %(date)s: %(reason)s") % {"date": short(order.updated_at.date()), "reason": order.cancel_reason}
        )
    if order.signed_on and order.signed_outside:
        notes.append(_("Signed on paper on %(date)s; recorded in Kesip.") % {"date": short(order.signed_on)})
    elif order.signed_on and order.signed_by_id and order.issued_by_employer and not _signed_by_the_head(order):
        # The employer's representative signed in the head's name (VR-38; the institution's WBL settings allow it).
        notes.append(
            _("Signed in Kesip by %(user)s for %(signatory)s on %(date)s.")
            % {"user": order.signed_by.display_name(), "signatory": order.signatory_name, "date": short(order.signed_on)}
        )
    elif order.signed_on and order.signed_by_id:
        notes.append(
            _("Signed in Kesip by %(user)s on %(date)s.")
            % {"user": order.signed_by.display_name(), "date": short(order.signed_on)}
        )
    return " ".join(notes)


def build(order, lines, language, extract=False):
    """The order as an official document in `language` (call inside `translation.override(language)`)."""
    book = common.rulebook(order.institution, order.signed_on or order.dated)
    employer = order.employer if order.issued_by_employer else None
    representative = None
    if order.kind == K.MENTOR:
        representative = (
            EmployerPerson.objects.filter(employer_id=order.employer_id, is_representative=True, is_active=True)
            .order_by("pk")
            .first()
        )
    first, rest = _items(order, lines, representative)
    header, rows, widths = _table(order, lines)
    blocks = [documents.paragraph(order_subject(order, lines), bold=True)]
    basis = _basis(order, lines, book)
    if basis:
        blocks.append(documents.paragraph(basis))
    blocks += [
        documents.paragraph(_("I ORDER:"), bold=True),
        documents.paragraph(f"1. {first}"),
        documents.table(header, rows, widths=widths),
    ]
    blocks += [documents.paragraph(f"{i}. {text}") for i, text in enumerate(rest, 2)]
    people = _acquainted(order, lines)
    if people:
        blocks.append(documents.paragraph(_("Acquainted with the order:"), bold=True))
        blocks.append(
            documents.table(
                [_("Surname, first name"), _("Signature"), _("Date")], [[p, "", ""] for p in people], widths=[50, 25, 25]
            )
        )
    letterhead, logo = None, b""
    address = employer.address if employer is not None else order.institution.legal_address
    base = bases.base_of(employer)
    if base is not None:  # the head of the institution's own base issues it: the institution's letterhead, then the base
        address = base.address or order.institution.legal_address
        letterhead = (documents.institution_name(order.institution, language), base.name, address)
    elif employer is not None:  # the employer's own letterhead, with its logo (F2)
        letterhead, logo = letterheads.letterhead_of(employer)
    return documents.Official(
        institution=order.institution,
        title=_("Extract from the order") if extract else _("Order"),
        subtitle=str(order.get_kind_display()),
        number=order.number,
        dated=order.signed_on or order.dated,
        place=place_of(address),
        letterhead=letterhead,
        logo=logo,
        blocks=blocks,
        signatures=[_signature(order)],
        footer=_footer(order, extract),
        language=language,
    )


def order_subject(order, lines):
    """What the order is about, in the document's language (“On sending group ЭГС-23 to production practice”)."""
    groups = sorted({str(line.group) for line in lines if line.group is not None})
    kinds = sorted({kind_label(line) for line in lines if line.placement is not None})
    if order.kind == K.REFERRAL:
        return _("On sending learners of %(groups)s to %(what)s") % {
            "groups": ", ".join(groups) or "—",
            "what": ", ".join(k.lower() for k in kinds) or _("work-based learning"),
        }
    if order.kind == K.SUPERVISOR:
        return _("On appointing heads of practical training of groups %(groups)s") % {"groups": ", ".join(groups) or "—"}
    if order.kind == K.MENTOR:
        return _("On appointing mentors of the learners of %(institution)s") % {
            "institution": documents.institution_name(order.institution)
        }
    if order.kind == K.INTERNSHIP_REFERRAL:
        return _("On sending to internship")
    return _("On admission to internship")


def _repeat_headers(data):
    """DOCX: each table's first row repeats at the top of every page (a long list of learners stays readable)."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document(io.BytesIO(data))
    for t in doc.tables:
        if len(t.rows) < 2:
            continue
        props = t.rows[0]._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        props.append(header)
        for row in t.rows:
            keep = OxmlElement("w:cantSplit")
            keep.set(qn("w:val"), "true")
            row._tr.get_or_add_trPr().append(keep)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


LATIN = dict(
    zip(
        "абвгдеёжзийклмнңопрстуүфхцчшщъыьэюяөәғқұһі",
        "a b v g d e e zh z i y k l m n ng o p r s t u u f kh ts ch sh shch - y - e yu ya o a g q u h i".split(),
        strict=True,
    )
)


def _ascii(text):
    """Latin letters for a file name (an HTTP header carries ASCII only): "14-П" → "14-P"."""
    out = []
    for ch in text:
        low = ch.lower()
        if low in LATIN:
            latin = LATIN[low].strip("-")
            out.append(latin.upper() if ch != low else latin)
        else:
            out.append(ch)
    return re.sub(r"[^A-Za-z0-9-]+", "-", "".join(out)).strip("-")


def filename(order):
    return f"order-{order.kind.replace('_', '-')}-{order.year}-{_ascii(order.number) or 'draft'}"


def respond(order, lines, request, extract=False):
    """The order as PDF or DOCX, in the language asked for (`?format=pdf|docx&lang=ky|ru|kk|en`).

    A signed order's full text is an issued document: its first print is kept and answered again.
    """
    from kesip.documents import archive

    fmt, language = documents.requested(request)

    def make(fmt, language):
        with translation.override(language):
            official = build(order, lines, language, extract=extract)
            official.language = language
        data = documents.as_bytes(official, fmt)
        return _repeat_headers(data) if fmt == "docx" else data

    keep = None
    if order.status == Order.Status.SIGNED and order.number and not extract:
        keep = archive.Keep(order, "order", _("Order № %(number)s") % {"number": order.number}, order.number)
    return archive.serve(request, keep, make, fmt, language, filename(order))
