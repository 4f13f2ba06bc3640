"""The rules of qualification and demonstration exams (KZ §13), as plain functions over an exam and its results.

Each check returns every broken rule at once, each a RuleViolation naming its field and, where a
regulation says it, its clause. A code absent from the country's rulebook does not apply there:
the KZ rule "one qualification exam per worker qualification" is not applied to a Kyrgyz lyceum,
which still cannot hold the same exam twice for a group (a database constraint).
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kesip.core.rules import RuleViolation
from kesip.curriculum.rules import Checker, rulebook_for

PER_WORKER = "curriculum.qualification_exam.per_worker_qualification"
MIN_EXPERTS = "curriculum.qualification_exam.min_experts"
REMOVED = "curriculum.classifier.removed"
EMPLOYER_MEMBERS = "curriculum.attestation.min_employer_members"  # VR-48, KG WBL regulation п. 4, 57 (13): a warning


def awards(exam):
    """Whether passing this kind of exam awards its qualification: the qualification exam and the final demonstration exam."""
    from kesip.curriculum.models import QualificationExam

    return exam.kind in (QualificationExam.Kind.QUALIFICATION, QualificationExam.Kind.DEMO_FINAL)


def _day(value):
    return date_format(value, "d.m.Y")


def removed_violation(qualification, on, field="held_on"):
    """The qualification may no longer be used by a cohort on `on`; None while it may."""
    if qualification.usable_for_cohort(on=on):
        return None
    basis = qualification.removal_basis or _("no basis recorded")
    if qualification.valid_until:
        message = _(
            "Qualification %(q)s was removed from the classifier (%(basis)s): existing cohorts keep it only until "
            "%(until)s, and the exam is on %(on)s."
        ) % {"q": qualification, "basis": basis, "until": _day(qualification.valid_until), "on": _day(on)}
    else:
        message = _("Qualification %(q)s was removed from the classifier (%(basis)s) and can no longer be awarded.") % {
            "q": qualification,
            "basis": basis,
        }
    return RuleViolation(REMOVED, message, qualification.removal_basis, field)


def plan_violations(exam, book=None):
    """Every rule a planned exam breaks: the group's own qualification, its kind, still in the classifier, once, experts."""
    from kesip.curriculum.models import Qualification, QualificationExam

    institution = exam.group.institution
    book = book if book is not None else rulebook_for(institution.jurisdiction, exam.held_on)
    check = Checker(book)
    q = exam.qualification
    own = set(exam.group.programme.qualifications.values_list("pk", flat=True))
    if q.pk not in own:
        check.add(
            "curriculum.exam.qualification",
            _("Choose one of the qualifications of the group's programme %(programme)s.") % {"programme": exam.group.programme},
            "qualification",
        )
    if exam.kind == QualificationExam.Kind.QUALIFICATION and PER_WORKER in book and q.kind != Qualification.Kind.WORKER:
        check.add(
            PER_WORKER,
            _("A qualification exam is held after a worker qualification; %(q)s is “%(kind)s”. Plan a demonstration exam for it.")
            % {"q": q, "kind": q.get_kind_display()},
            "qualification",
        )
    if exam.held_on:
        removed = removed_violation(q, exam.held_on)
        if removed:
            check.found.append(removed)
    twin = (
        QualificationExam.objects.filter(group_id=exam.group_id, qualification_id=q.pk, kind=exam.kind)
        .exclude(pk=exam.pk)
        .first()
    )
    if twin is not None:
        if exam.kind == QualificationExam.Kind.QUALIFICATION and PER_WORKER in book:
            check.add(
                PER_WORKER,
                _("Group %(group)s already has a qualification exam for %(q)s (%(date)s): one per worker qualification.")
                % {"group": exam.group, "q": q, "date": _day(twin.held_on)},
                "qualification",
            )
        else:
            check.add(
                "curriculum.exam.duplicate",
                _("Group %(group)s already has a “%(kind)s” for %(q)s (%(date)s).")
                % {"group": exam.group, "kind": twin.get_kind_display(), "q": q, "date": _day(twin.held_on)},
                "qualification",
            )
    experts = len(exam.expert_list)
    least = book[MIN_EXPERTS].value if MIN_EXPERTS in book else Decimal(1)
    if experts < least:
        check.add(
            MIN_EXPERTS if MIN_EXPERTS in book else "curriculum.exam.experts",
            ngettext(
                "Name at least %(n)s expert who assesses the exam, one per line.",
                "Name at least %(n)s experts who assess the exam, one per line.",
                int(least),
            )
            % {"n": int(least)},
            "experts",
        )
    if exam.scale_id and exam.scale.jurisdiction != institution.jurisdiction:
        check.add("curriculum.exam.scale", _("Choose a grading scale of the institution's country."), "scale")
    return check.found


def board_warnings(exam, book=None, employers=None):
    """VR-48 (soft): the attestation board names fewer employers than the rule asks (where the rule is in force).

    `employers` are the board's employers when the caller holds them (unsaved); otherwise the exam's
    `employer_members` are read (prefetch them in lists).
    """
    if book is None:
        book = rulebook_for(exam.institution.jurisdiction)
    found = book.get(EMPLOYER_MEMBERS)
    if found is None:
        return []
    members = list(employers) if employers is not None else (list(exam.employer_members.all()) if exam.pk else [])
    if len(members) >= found.value:
        return []
    return [
        RuleViolation(
            EMPLOYER_MEMBERS,
            _(
                "No employer is named on the attestation board of this exam: employers take part in the intermediate "
                "and state final attestation of learners. Name the employers whose representatives sit on the board."
            ),
            found.source,
            "employer_members",
        )
    ]


def employer_violations(exam, employers):
    """The board's employers are employers of the exam's institution."""
    foreign = [e for e in employers if e.institution_id != exam.institution_id]
    if not foreign:
        return []
    return [
        RuleViolation(
            "curriculum.exam.employer_members",
            _("Choose employers of the institution: %(names)s is not one of them.") % {"names": ", ".join(map(str, foreign))},
            "",
            "employer_members",
        )
    ]


def parse_mark(raw):
    """A mark as a Decimal with at most one decimal place, None when blank; ValueError with a message otherwise."""
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = raw.strip().replace(",", ".")
        if not raw:
            return None
    try:
        value = Decimal(raw)
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(_("“%(value)s” is not a mark.") % {"value": raw}) from None
    if not value.is_finite():
        raise ValueError(_("“%(value)s” is not a mark.") % {"value": raw})
    if value != value.quantize(Decimal("0.1")):
        raise ValueError(_("A mark has at most one decimal place."))
    return value


def result_violations(exam, marks, enrolled):
    """Every bad row of a results table.

    `marks` maps a student id to a raw mark (None or blank: no result); `enrolled` maps the ids of
    the group's studying students to the students. Each violation names the row as `student-<id>`.
    """
    found = []
    for student_id, raw in marks.items():
        field = f"student-{student_id}"
        student = enrolled.get(student_id)
        if student is None:
            found.append(
                RuleViolation(
                    "curriculum.exam.student",
                    _("Student #%(id)s is not a studying student of group %(group)s.") % {"id": student_id, "group": exam.group},
                    "",
                    field,
                )
            )
            continue
        try:
            value = parse_mark(raw)
            exam.scale.clean_value(value)
        except ValueError as error:
            found.append(RuleViolation("curriculum.exam.mark", f"{student}: {error}", "", field))
        except ValidationError as error:
            found.append(RuleViolation("curriculum.exam.mark", f"{student}: {' '.join(error.messages)}", "", field))
    return found


def passed(scale, value):
    """Pass or fail of a mark: its band's `passed`; a mark below every band fails."""
    band = scale.band_for(value)
    return bool(band and band.passed)
