"""Evidence for quality assurance and accreditation (F35, п. 60): one ZIP of an institution's WBL in an academic year.

The archive holds what an expert asks for, each built by the module that already builds it:
the approved WBL programmes with their specialty and WBL share (`programme_rules.wbl_percent`),
the year's placements by form and type of practice (K1, counted in SQL), the annual report's PDF
when there is a report (`views.reports.build_document`), the assessment results, and the diaries of
a sample of closed placements (`diary_documents.diary_document`): the first ones by start date and id,
so the same request gives the same sample. Built in memory.

Who may have it: the institution's WBL coordinators (its admin, head, head of practical training),
and an authority analyst or accreditation expert whose scope holds the institution; anyone else
gets 404, as for another institution's data.
"""

import csv
import io
import zipfile

from django.db.models import Count
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core import documents as docs
from kesip.core.models import Institution
from kesip.core.roles import Role
from kesip.wbl.models import AnnualReport, Assessment, DiaryEntry, Placement, PracticeType, WblForm, WblProgramme

COORDINATORS = {Role.INSTITUTION_ADMIN, Role.HEAD, Role.HEAD_OF_PRACTICE}
REVIEWERS = {Role.AUTHORITY_ANALYST, Role.ACCREDITATION_EXPERT}
DIARY_SAMPLE = 5
APPROVED = (WblProgramme.Status.APPROVED, WblProgramme.Status.PUBLISHED)


def institution_for(user, pk):
    """The institution whose evidence the user may export, else 404."""
    institution = Institution.objects.filter(pk=pk).first()
    if institution is None:
        raise Http404
    if access.is_system_admin(user):
        return institution
    ms = access.memberships(user)
    if any(m.role in COORDINATORS and m.institution_id == institution.pk for m in ms):
        return institution
    if any(m.role in REVIEWERS for m in ms) and access.scope_for(user, Institution).allows_institution(institution.pk):
        return institution
    raise Http404


def exportable(user):
    """The institutions whose evidence the user may export (the same test as `institution_for`, in one query)."""
    if access.is_system_admin(user):
        return Institution.objects.order_by("pk")
    ms = access.memberships(user)
    ids = {m.institution_id for m in ms if m.role in COORDINATORS and m.institution_id}
    if any(m.role in REVIEWERS for m in ms):
        scope = access.scope_for(user, Institution)
        ids |= set(scope.institution_ids)
    return Institution.objects.filter(pk__in=ids).order_by("pk")


def _csv(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(h) for h in header])
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM lets a spreadsheet read Cyrillic


def programme_rows(institution, year):
    """The year's approved WBL programmes with their WBL share, summed in SQL (two queries whatever their number)."""
    from kesip.wbl import programme_rules
    from kesip.wbl.common import settings_for

    rows = []
    qs = programme_rules.with_percent(
        WblProgramme.objects.filter(institution=institution, academic_year=year, status__in=APPROVED)
        .select_related("programme__specialty", "co_developer")
        .order_by("programme__specialty__code", "pk")
    )
    denominators = {institution.pk: settings_for(institution).wbl_percent_denominator}
    for wp in qs:
        total = programme_rules.listed_percent(wp, denominators)
        specialty = wp.programme.specialty
        rows.append(
            [
                wp.pk,
                str(wp.programme),
                specialty.code,
                str(specialty),
                getattr(wp.programme, "standard", "") or "",
                wp.get_form_display(),
                wp.get_status_display(),
                wp.approved_on.isoformat() if wp.approved_on else "",
                "" if total is None else total,
            ]
        )
    return rows


def placement_rows(institution, year):
    """K1: learners and placements of the year by form of WBL and type of practice (one query)."""
    from kesip.wbl.report_indicators import period

    start, end = period(year)
    qs = (
        Placement.objects.filter(institution=institution, starts_on__range=(start, end))
        .exclude(status=Placement.Status.CANCELLED)
        .order_by()
        .values("form", "practice_type")
        .annotate(placements=Count("pk"), learners=Count("student", distinct=True))
        .order_by("form", "practice_type")
    )
    forms, types = dict(WblForm.choices), dict(PracticeType.choices)
    return [
        [str(forms.get(r["form"], r["form"])), str(types.get(r["practice_type"], "")), r["placements"], r["learners"]] for r in qs
    ]


def assessment_rows(institution, year):
    from kesip.wbl.report_indicators import _num, period

    start, end = period(year)
    qs = (
        Assessment.objects.filter(institution=institution, placement__starts_on__range=(start, end))
        .exclude(placement__status=Placement.Status.CANCELLED)
        .select_related("placement__student", "placement__intern_staff", "placement__employer", "placement__group")
        .order_by("assessed_on", "pk")
    )
    return [
        [
            a.assessed_on.isoformat() if a.assessed_on else "",
            str(a.placement.student or a.placement.intern_staff or ""),
            str(a.placement.group or ""),
            str(a.placement.employer or ""),
            a.get_method_display(),
            _num(a.value),
        ]
        for a in qs
    ]


def diary_sample(institution, year, size=DIARY_SAMPLE):
    from kesip.wbl.report_indicators import period

    start, end = period(year)
    return list(
        Placement.objects.filter(institution=institution, starts_on__range=(start, end), status=Placement.Status.CLOSED)
        .select_related("student", "intern_staff", "employer", "group", "mentor", "supervisor")
        .order_by("starts_on", "pk")[:size]
    )


def _diary_pdf(placement, language):
    from kesip.curriculum import journal
    from kesip.wbl import diary
    from kesip.wbl import diary_documents as papers

    entries = DiaryEntry.objects.filter(placement=placement, status__in=diary.COUNTED)
    sums = diary.totals(entries)
    rows = list(entries.order_by("date", "pk"))
    with translation.override(language):
        official = papers.diary_document(placement, rows, sums, journal.scale_for(placement.institution), language)
    return docs.as_bytes(official, "pdf")


def _report_pdf(institution, year, language):
    from kesip.wbl.views.reports import _agreements, build_document

    report = AnnualReport.objects.filter(institution=institution, academic_year=year).first()
    if report is None:
        return None
    with translation.override(language):
        official = build_document(report, _agreements(report), language)
    return docs.as_bytes(official, "pdf")


def build(institution, year, language, sample=DIARY_SAMPLE):
    """The ZIP's bytes: programmes.csv, placements.csv, assessments.csv, report.pdf (if any), diaries/*.pdf."""
    buffer = io.BytesIO()
    with translation.override(language), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "programmes.csv",
            _csv(
                [_("Id"), _("Programme"), _("Specialty code"), _("Specialty"), _("Standard"), _("Form of WBL"),
                 _("Status"), _("Approved on"), _("WBL share (%)")],
                programme_rows(institution, year),
            ),
        )  # fmt: skip
        z.writestr(
            "placements.csv",
            _csv([_("Form of WBL"), _("Type of practice"), _("Placements"), _("Learners")], placement_rows(institution, year)),
        )
        z.writestr(
            "assessments.csv",
            _csv(
                [_("Assessed on"), _("Learner"), _("Group"), _("Employer"), _("Method"), _("Mark")],
                assessment_rows(institution, year),
            ),
        )
        report = _report_pdf(institution, year, language)
        if report is not None:
            z.writestr("annual-report.pdf", report)
        for placement in diary_sample(institution, year, sample):
            z.writestr(f"diaries/diary-{placement.pk}.pdf", _diary_pdf(placement, language))
    return buffer.getvalue()


def filename(institution, year):
    return f"wbl-evidence-{institution.pk}-{year}-{year + 1}.zip"
