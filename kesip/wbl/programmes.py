"""The WBL programme of a profession: its nine sections and tables, and its way to approval.

draft → with the employer for review (the institution sends it once no hard rule is broken) →
the co-developing employer agrees (its representative in Kesip, or the institution records the
agreement given on paper, with the name and the date) → approved by the institution (its head or
an institution admin: `approve_programme`, п. 56 item 1) → reopened to draft when it must change
(the agreement and the approval are cleared; the history keeps them). From the review the
employer's representative may also send it back to draft.

Only a draft is changed. The institution's staff (`change_wbl`) write everything; the
co-developing employer's representative writes the sections and tables of a draft too (joint
development, п. 57 item 2) but not its passport — programme, form, employer, year.

After approval (§9.4): approved → published (`publish`, the institution makes the approved programme
known to learners, employers and mentors) → revised. `revise` opens the next version of an approved
or published programme as a new draft — version + 1, `previous` set, every section, outcome and row
of sections 5, 7 and 9 copied — optionally naming the annual report whose recommendations call for it
(п. 56 item 12). The old version stays in force (approved or published, still usable for placements)
until the new version is approved; only then does it become REVISED. A programme has at most one
revision (`previous` is one-to-one), so at most one open revision: the step locks the old row and the
database constraint backs the check. Placements and agreements keep the version they name; a
programme that is revised is not offered for new ones.

Each step runs in one transaction on the locked programme row; a refused step changes nothing.
`user=None` is the system (the demo loader) and needs no membership.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesip.core import access
from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.wbl import programme_rules as pr
from kesip.wbl.common import WblInvalid, expect_status, locked, may, raise_all, refuse_out_of_scope, rulebook
from kesip.wbl.models import ContentRow, LoadRow, RubricItem, WblProgramme

S = WblProgramme.Status
PASSPORT_FIELDS = ["programme", "form", "co_developer", "academic_year"]
SECTION_FIELDS = [
    "normative_base", "goal", "procedure", "mentor_duties",
    "season_note", "season_from_month", "season_to_month", "safety", "accessibility",
]  # fmt: skip
LOAD_FIELDS = ["semester", "activity", "practice_type", "component", "hours", "credits", "season", "position"]
CONTENT_FIELDS = ["practice_type", "competency", "topic", "hours", "environment", "equipment", "position"]
RUBRIC_FIELDS = ["method", "level", "descriptor", "competencies", "position"]
STEPS = ("send", "agree", "approve", "reopen", "publish", "revise")
USABLE = WblProgramme.USABLE
TENTH = Decimal("0.1")


def _day(value):
    return date_format(value, "d.m.Y")


# Who may do what ---------------------------------------------------------------------------------


def is_staff(user, institution_id):
    """The institution's own WBL staff (institution admin, head of practical training), not an employer's."""
    return may(user, WblProgramme, "change", institution_id)


def may_edit(user, wp):
    """Staff of the institution, or the co-developing employer's representative (no query: the scope is cached)."""
    if user is None:
        return True
    scope = access.scope_for(user, WblProgramme, "change")
    return (
        scope.everything
        or wp.institution_id in scope.institution_ids
        or bool(wp.co_developer_id and wp.co_developer_id in scope.employer_ids)
    )


def may_approve(user, wp):
    """The head of the institution or an institution admin (`approve_programme` in the programme's institution)."""
    from kesip.core.models import Programme

    return user is None or access.scope_for(user, Programme, "approve").allows_institution(wp.institution_id)


def is_employer_rep(user, wp):
    """The user represents the programme's co-developing employer."""
    if user is None or not wp.co_developer_id:
        return False
    return any(
        m.role == Role.EMPLOYER_REP and m.employer_id == wp.co_developer_id and m.institution_id in (None, wp.institution_id)
        for m in access.memberships(user)
    )


def _refuse(field_name="status"):
    raise RuleViolation("wbl.permission", _("You may not take this step."), "", field_name)


def _require_edit(user, wp, field_name="status"):
    if not may_edit(user, wp):
        _refuse(field_name)


def _require_staff(user, wp, field_name="status"):
    if not is_staff(user, wp.institution_id):
        _refuse(field_name)


def _as_violations(error):
    """A model's ValidationError as RuleViolations beside their fields."""
    if hasattr(error, "error_dict"):
        return [RuleViolation("wbl.invalid", m, "", f) for f, ms in error.message_dict.items() for m in ms]
    return [RuleViolation("wbl.invalid", m, "", None) for m in error.messages]


def _violations(problems, book):
    return [RuleViolation(code, message, book[code].source if code in book else "", f) for code, message, f in problems]


DRAFT_ONLY = gettext_lazy("Only a draft is changed: reopen the programme first.")


# The programme: passport and sections ------------------------------------------------------------


def save_programme(wp, user, outcomes=None):
    """Create a draft or change a draft's passport and sections; `outcomes` (competencies) replaces section 6.

    Raises RuleViolation (not a draft, no permission) or WblInvalid (a record of another
    institution or programme, a passport change by the employer). The institution comes from the
    educational programme.
    """
    from kesip.core.models import Programme

    with transaction.atomic():
        programme = Programme.objects.select_related("institution").get(pk=wp.programme_id)
        if wp.pk is None:
            if not is_staff(user, programme.institution_id):
                _refuse("programme")
            refuse_out_of_scope(programme.institution, "programme")
            wp.institution = programme.institution
            wp.status = S.DRAFT
            wp.employer_agreed_on, wp.employer_agreed_by, wp.approved_on, wp.approved_by = None, "", None, None
        else:
            current = locked(WblProgramme, wp.pk)
            _require_edit(user, current)
            expect_status(current, (S.DRAFT,), str(DRAFT_ONLY))
            changed = [
                f
                for f in PASSPORT_FIELDS
                if getattr(current, WblProgramme._meta.get_field(f).attname)
                != getattr(wp, WblProgramme._meta.get_field(f).attname)
            ]
            if changed and not is_staff(user, current.institution_id):
                raise WblInvalid(
                    [
                        RuleViolation(
                            "wbl.permission",
                            _("Only the institution changes the passport: programme, form, employer and year."),
                            "",
                            changed[0],
                        )
                    ]
                )
            if "programme" in changed:
                if programme.institution_id != current.institution_id:
                    raise WblInvalid(
                        [RuleViolation("wbl.invalid", _("Choose a programme of this institution."), "", "programme")]
                    )
                if _has_content(current):
                    raise WblInvalid(
                        [
                            RuleViolation(
                                "wbl.programme.programme",
                                _(
                                    "The tables and outcomes are built from the curriculum of %(p)s: remove them before "
                                    "choosing another educational programme."
                                )
                                % {"p": current.programme},
                                "",
                                "programme",
                            )
                        ]
                    )
            wp.institution_id = current.institution_id
            for name in ("status", "employer_agreed_on", "employer_agreed_by", "approved_on", "approved_by_id", "created_at"):
                setattr(wp, name, getattr(current, name))
        try:
            wp.clean()
        except ValidationError as error:
            raise WblInvalid(_as_violations(error)) from None
        if outcomes is not None:
            foreign = [c for c in outcomes if c.programme_id != wp.programme_id]
            if foreign:
                raise WblInvalid(
                    [RuleViolation(pr.COMPETENCY_CHECK, _("Choose competencies of this educational programme."), "", "outcomes")]
                )
        wp.save()
        if outcomes is not None:
            wp.outcomes.set(outcomes)
    return wp


def _has_content(wp):
    return (
        LoadRow.objects.filter(programme=wp).exists()
        or ContentRow.objects.filter(programme=wp).exists()
        or RubricItem.objects.filter(programme=wp).exists()
        or wp.outcomes.exists()
    )


def delete_programme(wp, user):
    """Delete a draft with its tables; refused while agreements or placements name it."""
    with transaction.atomic():
        wp = locked(WblProgramme, wp.pk)
        _require_staff(user, wp)
        expect_status(wp, (S.DRAFT,), _("Only a draft is deleted: reopen the programme first."))
        agreements, placements = wp.agreements.count(), wp.placements.count()
        if agreements or placements:
            raise RuleViolation(
                "wbl.programme.in_use",
                _("The programme is named by %(a)s agreements and %(p)s placements: it cannot be deleted.")
                % {"a": agreements, "p": placements},
                "",
                "status",
            )
        wp.delete()


# The tables of sections 5, 7 and 9 ---------------------------------------------------------------


def _editable(programme_id, user):
    """The programme row locked for a change of one of its tables: a draft the user may edit."""
    wp = locked(WblProgramme, programme_id, "institution")
    _require_edit(user, wp)
    expect_status(wp, (S.DRAFT,), str(DRAFT_ONLY))
    return wp


def _same_programme(model, row):
    if row.pk is not None and model.objects.filter(pk=row.pk).values_list("programme_id", flat=True).first() != row.programme_id:
        raise RuleViolation("wbl.invalid", _("A row stays in the programme it was added to."), "", None)


def save_load_row(row, user):
    """Add or change a row of section 5 (VR-8, VR-9); raises WblInvalid naming each field."""
    with transaction.atomic():
        wp = _editable(row.programme_id, user)
        _same_programme(LoadRow, row)
        row.institution_id = wp.institution_id
        if row.activity != LoadRow.Activity.PRACTICE:
            row.practice_type = ""
        book = rulebook(wp.institution)
        raise_all(_violations(pr.load_row_problems(row, wp.programme_id, book), book))
        row.save()
    return row


def save_content_row(row, user):
    """Add or change a row of section 7 (VR-12); raises WblInvalid naming each field."""
    with transaction.atomic():
        wp = _editable(row.programme_id, user)
        _same_programme(ContentRow, row)
        row.institution_id = wp.institution_id
        book = rulebook(wp.institution)
        raise_all(_violations(pr.content_row_problems(row, wp.programme_id, book), book))
        row.save()
    return row


def save_rubric_item(item, competencies, user):
    """Add or change a grade of section 9 with its competencies (VR-10: of section 6); raises WblInvalid."""
    with transaction.atomic():
        wp = _editable(item.programme_id, user)
        _same_programme(RubricItem, item)
        item.institution_id = wp.institution_id
        book = rulebook(wp.institution)
        outcome_ids = set(wp.outcomes.values_list("pk", flat=True))
        competencies = list(competencies)
        raise_all(_violations(pr.rubric_item_problems(item, competencies, wp.programme_id, outcome_ids, book), book))
        item.save()
        item.competencies.set(competencies)
    return item


def delete_row(row, user):
    """Delete a row of one of the tables of a draft."""
    with transaction.atomic():
        _editable(row.programme_id, user)
        row.delete()


# Built from the curriculum -----------------------------------------------------------------------


@dataclass
class Prefilled:
    created: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    normative_base: bool = False
    curriculum: object = None


def working_curriculum_for(wp):
    """The working curriculum section 5 is built from: the approved one of the intake year equal to the
    programme's academic year, else any of that year, else the latest approved, else the latest."""
    from kesip.curriculum.models import WorkingCurriculum

    qs = WorkingCurriculum.objects.filter(programme_id=wp.programme_id)
    approved = WorkingCurriculum.Status.APPROVED
    for filters in (
        {"intake_year": wp.academic_year, "status": approved},
        {"intake_year": wp.academic_year},
        {"status": approved},
    ):
        found = qs.filter(**filters).order_by("-intake_year").first()
        if found:
            return found
    return qs.order_by("-intake_year").first()


def normative_base_text(programme, curriculum=None):
    """Section 1's normative base as the programme states it (п. 51, п. 53 section 1)."""
    lines = [
        _("State educational standard: %(s)s") % {"s": programme.standard}
        if programme.standard.strip()
        else _("State educational standard: not named in the programme's passport yet"),
    ]
    if programme.professional_standard.strip():
        lines.append(_("Professional standard: %(s)s") % {"s": programme.professional_standard})
    lines.append(
        _("Competency-based educational programme: %(code)s %(name)s")
        % {"code": programme.specialty.code, "name": programme.name}
    )
    if curriculum is not None:
        lines.append(_("Working curriculum of the intake of %(year)s") % {"year": curriculum.intake_year})
    return "\n".join(lines)


def prefill(wp, user):
    """Build section 5 from the curriculum and section 1's normative base from the programme — a start to edit.

    For each practice component of the programme, one row per semester the working curriculum lays
    it out in: the semester (year × 2 − (semester == 1)), its hours there, and its credits (the
    component's, in proportion to the hours). Rows already in the table are left as they are; the
    normative base is written only while it is empty. Returns a Prefilled.
    """
    from kesip.core.rules import in_force
    from kesip.curriculum.models import Component, CurriculumEntry

    with transaction.atomic():
        wp = _editable(wp.pk, user)
        wp = WblProgramme.objects.select_related("institution", "programme__specialty").get(pk=wp.pk)
        outcome = Prefilled(curriculum=working_curriculum_for(wp))
        wc = outcome.curriculum
        components = list(
            Component.objects.filter(module__programme_id=wp.programme_id, kind=Component.Kind.PRACTICE).order_by(
                "module__position", "position", "pk"
            )
        )
        spots = {}
        if wc is not None:
            for e in CurriculumEntry.objects.filter(curriculum=wc, component__in=components).order_by("year", "semester"):
                spots.setdefault(e.component_id, []).append((pr.semester_number(e.year, e.semester), e.hours))
        existing = set(LoadRow.objects.filter(programme=wp).values_list("component_id", "semester"))
        credit_rule = in_force(wp.institution.jurisdiction, ("curriculum.credit.academic_hours",)).get(
            "curriculum.credit.academic_hours"
        )
        if not components:
            outcome.notes.append(_("The curriculum of %(p)s has no practice components.") % {"p": wp.programme})
        elif wc is None:
            outcome.notes.append(_("The programme has no working curriculum yet: the semesters of its practice are not known."))
        for c in components:
            places = spots.get(c.pk, [])
            if wc is not None and not places:
                outcome.notes.append(
                    _("%(c)s is not laid out in the working curriculum of %(year)s: add its row with its semester.")
                    % {"c": c, "year": wc.intake_year}
                )
            for semester, hours in places:
                if (c.pk, semester) in existing:
                    continue
                if c.credits:
                    credits = Decimal(c.credits) * hours / c.hours
                elif credit_rule is not None:
                    credits = Decimal(hours) / credit_rule.value
                else:
                    credits = Decimal(0)
                    outcome.notes.append(
                        _("%(c)s: the curriculum gives no credits; fill in the credits of semester %(s)s.")
                        % {"c": c, "s": semester}
                    )
                row = LoadRow(
                    institution_id=wp.institution_id,
                    programme=wp,
                    semester=semester,
                    activity=LoadRow.Activity.PRACTICE,
                    practice_type=c.practice_type,
                    component=c,
                    hours=hours,
                    credits=credits.quantize(TENTH, ROUND_HALF_UP),
                )
                row.save()
                outcome.created.append(row)
        if not wp.normative_base.strip():
            wp.normative_base = normative_base_text(wp.programme, wc)
            wp.save(update_fields=["normative_base", "updated_at"])
            outcome.normative_base = True
    return outcome


# The way to approval -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    style: str = "primary"
    needs_input: bool = False  # the staff record a paper agreement: name and date
    confirm: str = ""


def allowed_steps(wp, user, hard=()):
    """The steps this user may take now, for the buttons. `hard`: the programme's hard violations."""
    steps = []
    staff = is_staff(user, wp.institution_id)
    if wp.status == S.DRAFT and staff and not hard and wp.co_developer_id:
        steps.append(Step("send", _("Send to the employer for review")))
    if wp.status == S.EMPLOYER_REVIEW and not wp.employer_agreed_on:
        if is_employer_rep(user, wp):
            steps.append(Step("agree", _("Agree the programme"), "success"))
        elif staff:
            steps.append(Step("agree", _("Record the employer's agreement given on paper"), "success", needs_input=True))
    if wp.status == S.EMPLOYER_REVIEW and wp.employer_agreed_on and may_approve(user, wp) and not hard:
        steps.append(Step("approve", _("Approve"), "success"))
    if (wp.status in (S.EMPLOYER_REVIEW, S.APPROVED) and staff) or (wp.status == S.EMPLOYER_REVIEW and is_employer_rep(user, wp)):
        label = _("Return for changes") if wp.status == S.EMPLOYER_REVIEW else _("Reopen as a draft")
        confirm = (
            _("The agreement and the approval are cleared; the history keeps them. Continue?")
            if wp.status == S.APPROVED or wp.employer_agreed_on
            else ""
        )
        if not (wp.status == S.APPROVED and _revision_of(wp) is not None):
            steps.append(Step("reopen", label, "outline-warning", confirm=confirm))
    if wp.status == S.APPROVED and staff:
        steps.append(Step("publish", _("Publish"), "success"))
    if wp.status in USABLE and staff and _revision_of(wp) is None:
        steps.append(Step("revise", _("Open a revision"), "outline-primary", needs_input=True))
    return steps


def _locked_for_step(wp):
    return locked(WblProgramme, wp.pk, "institution", "programme__specialty", "co_developer")


def send_to_employer(wp, user):
    """draft → with the employer for review; refused while a hard rule is broken (WblInvalid lists them)."""
    with transaction.atomic():
        wp = _locked_for_step(wp)
        _require_staff(user, wp)
        expect_status(wp, (S.DRAFT,), _("Only a draft is sent to the employer."))
        hard, _soft = pr.violations(wp)
        raise_all(hard)
        wp.status, wp.employer_agreed_on, wp.employer_agreed_by = S.EMPLOYER_REVIEW, None, ""
        wp.save()
    return wp


def record_agreement(wp, user, agreed_by="", agreed_on=None, on=None):
    """The co-developing employer agrees: its representative (name and today), or staff with the paper's name and date."""
    today = on or datetime.date.today()
    with transaction.atomic():
        wp = _locked_for_step(wp)
        expect_status(wp, (S.EMPLOYER_REVIEW,), _("The programme is not with the employer for review."))
        book = rulebook(wp.institution)
        source = book[pr.AGREEMENT_RULE].source if pr.AGREEMENT_RULE in book else ""
        if wp.employer_agreed_on:
            raise RuleViolation(
                pr.AGREEMENT_RULE,
                _("The employer already agreed the programme on %(date)s (%(by)s).")
                % {"date": _day(wp.employer_agreed_on), "by": wp.employer_agreed_by},
                source,
                "employer_agreed_on",
            )
        if is_employer_rep(user, wp):
            person = wp.co_developer.people.filter(user=user, is_active=True).order_by("pk").first()
            name = user.display_name()
            wp.employer_agreed_by = f"{name}, {person.position}" if person and person.position else name
            wp.employer_agreed_on = today
        elif user is None or is_staff(user, wp.institution_id):
            problems = []
            agreed_by = (agreed_by or "").strip()
            if not agreed_by:
                problems.append(
                    RuleViolation(
                        pr.AGREEMENT_RULE, _("Give the name of who agreed it for the employer."), source, "employer_agreed_by"
                    )
                )
            elif len(agreed_by) > 255:
                problems.append(RuleViolation("wbl.invalid", _("At most 255 characters."), "", "employer_agreed_by"))
            if agreed_on is None:
                problems.append(
                    RuleViolation(
                        pr.AGREEMENT_RULE, _("Give the date of the employer's agreement."), source, "employer_agreed_on"
                    )
                )
            elif agreed_on > today:
                problems.append(
                    RuleViolation("wbl.invalid", _("The agreement cannot be dated in the future."), "", "employer_agreed_on")
                )
            raise_all(problems)
            wp.employer_agreed_by, wp.employer_agreed_on = agreed_by, agreed_on
        else:
            _refuse("employer_agreed_by")
        wp.save()
    return wp


def approve(wp, user, on=None):
    """with the employer, agreed → approved by the institution (VR-6, VR-14); WblInvalid lists broken rules."""
    with transaction.atomic():
        wp = _locked_for_step(wp)
        if not may_approve(user, wp):
            _refuse()
        if wp.status == S.DRAFT:
            raise RuleViolation(
                "wbl.wblprogramme.status", _("Send the programme to the employer and record the agreement first."), "", "status"
            )
        expect_status(wp, (S.EMPLOYER_REVIEW,), _("The programme is already approved."))
        book = rulebook(wp.institution)
        if not wp.employer_agreed_on:
            raise RuleViolation(
                pr.AGREEMENT_RULE,
                _("The co-developing employer has not agreed the programme yet."),
                book[pr.AGREEMENT_RULE].source if pr.AGREEMENT_RULE in book else "",
                "employer_agreed_on",
            )
        hard, _soft = pr.violations(wp, pr.load(wp, book))
        raise_all(hard)
        wp.status, wp.approved_on, wp.approved_by = S.APPROVED, on or datetime.date.today(), user
        wp.save()
        if wp.previous_id:
            # The new version is in force: the one it revises is replaced (placements keep naming it).
            old = locked(WblProgramme, wp.previous_id)
            if old.status in USABLE:
                old.status = S.REVISED
                old.save()
    return wp


def reopen(wp, user):
    """Back to draft from the review (staff, or the employer asking for changes) or from approval (staff)."""
    with transaction.atomic():
        wp = _locked_for_step(wp)
        expect_status(wp, (S.EMPLOYER_REVIEW, S.APPROVED), _("Only a programme under review or approved is reopened."))
        if wp.status == S.APPROVED and _revision_of(wp) is not None:
            raise RuleViolation(
                "wbl.wblprogramme.status",
                _("Version %(v)s revises this programme: change that draft instead.") % {"v": wp.version + 1},
                "",
                "status",
            )
        if not (is_staff(user, wp.institution_id) or (wp.status == S.EMPLOYER_REVIEW and is_employer_rep(user, wp))):
            _refuse()
        was_approved = wp.status == S.APPROVED
        wp.status = S.DRAFT
        wp.employer_agreed_on, wp.employer_agreed_by, wp.approved_on, wp.approved_by = None, "", None, None
        wp.save()
        if was_approved and wp.previous_id:
            # The revision is not in force any more: the version it replaced is in force again.
            old = locked(WblProgramme, wp.previous_id)
            if old.status == S.REVISED:
                old.status = S.PUBLISHED if old.published_on else S.APPROVED
                old.save()
    return wp


def _revision_of(wp):
    """The next version of `wp`, or None (one query, not cached on the instance)."""
    return WblProgramme.objects.filter(previous_id=wp.pk).first()


def publish(wp, user, on=None):
    """approved → published: the approved programme is made known to the parties; staff of the institution."""
    with transaction.atomic():
        wp = _locked_for_step(wp)
        _require_staff(user, wp)
        expect_status(wp, (S.APPROVED,), _("Only an approved programme is published."))
        wp.status, wp.published_on = S.PUBLISHED, on or datetime.date.today()
        wp.save()
    return wp


def revise(wp, user, reason="", report=None):
    """Open the next version of an approved or published programme as a draft copy; returns the new draft.

    The old row is locked first, so two simultaneous requests cannot both open a revision: the
    second waits and then finds the first one's draft. `report`, when given, is an annual report of
    the same institution whose recommendations the revision follows (п. 56 item 12).
    """
    from django.db import IntegrityError

    reason = (reason or "").strip()
    with transaction.atomic():
        old = _locked_for_step(wp)
        _require_staff(user, old)
        expect_status(old, USABLE, _("Only an approved or published programme is revised."))
        problems = []
        existing = _revision_of(old)
        if existing is not None:
            problems.append(
                RuleViolation(
                    "wbl.wblprogramme.revision",
                    _("Version %(v)s is already open as a revision (%(status)s): finish or delete it first.")
                    % {"v": existing.version, "status": existing.get_status_display()},
                    "",
                    "status",
                )
            )
        if not reason:
            problems.append(
                RuleViolation("wbl.wblprogramme.revision", _("Say what the revision changes and why."), "", "revision_reason")
            )
        if report is not None and report.institution_id != old.institution_id:
            problems.append(
                RuleViolation("wbl.invalid", _("Choose an annual report of this institution."), "", "revised_from_report")
            )
        raise_all(problems)
        outcomes = list(old.outcomes.all())
        new = WblProgramme(
            institution_id=old.institution_id,
            **{f: getattr(old, f) for f in PASSPORT_FIELDS},
            **{f: getattr(old, f) for f in SECTION_FIELDS},
            status=S.DRAFT,
            version=old.version + 1,
            previous=old,
            revised_from_report=report,
            revision_reason=reason,
        )
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError:
            raise RuleViolation(
                "wbl.wblprogramme.revision", _("Another revision was opened at the same time."), "", "status"
            ) from None
        new.outcomes.set(outcomes)
        LoadRow.objects.bulk_create(
            [
                LoadRow(institution_id=new.institution_id, programme=new, **{f: getattr(r, f) for f in LOAD_FIELDS})
                for r in old.load_rows.all()
            ]
        )
        ContentRow.objects.bulk_create(
            [
                ContentRow(institution_id=new.institution_id, programme=new, **{f: getattr(r, f) for f in CONTENT_FIELDS})
                for r in old.content_rows.all()
            ]
        )
        for item in old.rubric.prefetch_related("competencies"):
            copy = RubricItem.objects.create(
                institution_id=new.institution_id,
                programme=new,
                **{f: getattr(item, f) for f in RUBRIC_FIELDS if f != "competencies"},
            )
            copy.competencies.set(list(item.competencies.all()))
    return new


def versions(wp):
    """The version chain of `wp`, oldest first: every programme before it and after it (a query per link)."""
    chain = [wp]
    seen = {wp.pk}
    while chain[0].previous_id and chain[0].previous_id not in seen:
        prev = WblProgramme.objects.select_related("revised_from_report").filter(pk=chain[0].previous_id).first()
        if prev is None:
            break
        seen.add(prev.pk)
        chain.insert(0, prev)
    while True:
        nxt = WblProgramme.objects.select_related("revised_from_report").filter(previous_id=chain[-1].pk).first()
        if nxt is None or nxt.pk in seen:
            break
        seen.add(nxt.pk)
        chain.append(nxt)
    return chain


def take_step(wp, name, user, agreed_by="", agreed_on=None, reason="", report=None):
    """Run the step `name` (one of STEPS); the pages and the API both go through here. `revise` returns the new draft."""
    if name == "publish":
        return publish(wp, user)
    if name == "revise":
        return revise(wp, user, reason, report)
    if name == "send":
        return send_to_employer(wp, user)
    if name == "agree":
        return record_agreement(wp, user, agreed_by, agreed_on)
    if name == "approve":
        return approve(wp, user)
    if name == "reopen":
        return reopen(wp, user)
    raise RuleViolation("wbl.wblprogramme.status", _("Unknown step."), "", "status")
