"""The programme's status flow: one function per transition, each in one transaction.

draft → approved (by the institution, only with no violations) → submitted for expertise →
included in the register, or returned with the expert conclusion. An approved or registered
programme is frozen; `revise` opens it again as a draft (a standard or technology changed), and
its history keeps the approved version.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesip.core import access
from kesip.core.models import Programme
from kesip.core.rules import RuleViolation
from kesip.curriculum.rules import programme_violations

S = Programme.Status


class ProgrammeInvalid(Exception):
    """The programme breaks rules; `violations` lists every one of them."""

    def __init__(self, violations):
        super().__init__("; ".join(v.message for v in violations))
        self.violations = violations


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple
    target: str
    action: str  # the permission action: approve_programme, review_programme, change_programme
    needs_conclusion: bool = False
    style: str = "primary"


TRANSITIONS = {
    t.name: t
    for t in (
        Transition("approve", gettext_lazy("Approve"), (S.DRAFT, S.RETURNED), S.APPROVED, "approve"),
        Transition("submit", gettext_lazy("Submit for expertise"), (S.APPROVED,), S.SUBMITTED, "approve"),
        Transition("register", gettext_lazy("Include in the register"), (S.SUBMITTED,), S.REGISTERED, "review", True, "success"),
        Transition("return", gettext_lazy("Return with remarks"), (S.SUBMITTED,), S.RETURNED, "review", True, "warning"),
        Transition(
            "revise", gettext_lazy("Open a new revision"), (S.APPROVED, S.REGISTERED), S.DRAFT, "change", style="secondary"
        ),
    )
}


def allowed(programme, user):
    """The transitions this user may take on this programme now, in display order."""
    result = []
    for t in TRANSITIONS.values():
        if programme.status in t.sources and access.scope_for(user, Programme, t.action).allows_institution(
            programme.institution_id
        ):
            result.append(t)
    return result


def transition(programme, name, user, conclusion="", on=None):
    """Take transition `name`; raises RuleViolation when it is not open, ProgrammeInvalid when rules are broken."""
    t = TRANSITIONS.get(name)
    if t is None:
        raise RuleViolation("curriculum.programme.status", _("Unknown step."), "", "status")
    on = on or datetime.date.today()
    with transaction.atomic():
        p = Programme.objects.select_for_update().select_related("institution", "specialty").get(pk=programme.pk)
        if not access.scope_for(user, Programme, t.action).allows_institution(p.institution_id):
            raise RuleViolation("curriculum.programme.permission", _("You may not take this step."), "", "status")
        if p.status not in t.sources:
            raise RuleViolation(
                "curriculum.programme.status",
                _("A programme that is “%(status)s” cannot take the step “%(step)s”.")
                % {"status": p.get_status_display(), "step": t.label},
                "",
                "status",
            )
        if t.needs_conclusion and not conclusion.strip():
            raise RuleViolation("curriculum.programme.conclusion", _("Write the expert conclusion."), "", "expert_conclusion")
        if t.name == "approve":
            violations = programme_violations(p)
            if violations:
                raise ProgrammeInvalid(violations)
            p.approved_on = on
        elif t.name == "submit":
            p.submitted_on = on
        elif t.needs_conclusion:
            p.expert_conclusion = conclusion.strip()
            p.conclusion_on = on
        elif t.name == "revise":
            p.approved_on = p.submitted_on = p.conclusion_on = None
            p.expert_conclusion = ""
        p.status = t.target
        p.save()
    programme.refresh_from_db()
    return programme


def open_working_curriculum(programme, intake_year, user):
    """A working curriculum for an intake: only an approved programme is laid out."""
    from kesip.curriculum.models import WorkingCurriculum

    if not access.scope_for(user, Programme, "change").allows_institution(programme.institution_id):
        raise RuleViolation("curriculum.programme.permission", _("You may not take this step."), "", "intake_year")
    if programme.is_editable:
        raise RuleViolation(
            "curriculum.working.programme_not_approved",
            _("Approve the programme before laying out a working curriculum."),
            "",
            "intake_year",
        )
    with transaction.atomic():
        if WorkingCurriculum.objects.filter(programme=programme, intake_year=intake_year).exists():
            raise RuleViolation(
                "curriculum.working.exists",
                _("The programme already has a working curriculum for %(year)s.") % {"year": intake_year},
                "",
                "intake_year",
            )
        return WorkingCurriculum.objects.create(institution=programme.institution, programme=programme, intake_year=intake_year)


def save_layout(wc, cells):
    """Replace the layout with `cells`: {(component_id, year, semester): (hours, distance_hours)}; one transaction."""
    from kesip.curriculum.models import Component, CurriculumEntry, WorkingCurriculum

    with transaction.atomic():
        wc = WorkingCurriculum.objects.select_for_update().get(pk=wc.pk)
        if wc.status != WorkingCurriculum.Status.DRAFT:
            raise RuleViolation("curriculum.working.frozen", _("Reopen the approved working curriculum before changing it."))
        own = set(Component.objects.filter(module__programme_id=wc.programme_id).values_list("pk", flat=True))
        rows = []
        for (component_id, year, semester), (hours, distance) in cells.items():
            if component_id not in own:
                raise RuleViolation("curriculum.working.layout", _("A component of another programme was given."))
            if not (1 <= year <= wc.years and semester in (1, 2)):
                raise RuleViolation(
                    "curriculum.working.layout",
                    _("Year %(year)s is beyond the programme's %(years)s years of study.") % {"year": year, "years": wc.years},
                )
            if hours < 0 or distance < 0 or distance > hours:
                raise RuleViolation(
                    "curriculum.working.distance",
                    _("Remote hours cannot exceed the hours of the semester."),
                    "",
                    f"component-{component_id}",
                )
            if hours:
                rows.append(
                    CurriculumEntry(
                        institution_id=wc.institution_id,
                        curriculum=wc,
                        component_id=component_id,
                        year=year,
                        semester=semester,
                        hours=hours,
                        distance_hours=distance,
                    )
                )
        CurriculumEntry.objects.filter(curriculum=wc).delete()
        CurriculumEntry.objects.bulk_create(rows)
        wc.save(update_fields=["updated_at"])
    return wc


def approve_curriculum(wc, user, on=None):
    """Approve the working curriculum (the head or an institution admin); refused while a rule is broken."""
    from kesip.curriculum.models import WorkingCurriculum
    from kesip.curriculum.rules import curriculum_violations

    with transaction.atomic():
        wc = WorkingCurriculum.objects.select_for_update().select_related("programme__institution").get(pk=wc.pk)
        if not access.scope_for(user, Programme, "approve").allows_institution(wc.institution_id):
            raise RuleViolation("curriculum.programme.permission", _("You may not take this step."), "", "status")
        if wc.status != WorkingCurriculum.Status.DRAFT:
            raise RuleViolation("curriculum.working.status", _("The working curriculum is already approved."), "", "status")
        violations = curriculum_violations(wc)
        if violations:
            raise ProgrammeInvalid(violations)
        wc.status, wc.approved_on = WorkingCurriculum.Status.APPROVED, on or datetime.date.today()
        wc.save()
    return wc


def reopen_curriculum(wc, user):
    from kesip.curriculum.models import WorkingCurriculum

    with transaction.atomic():
        wc = WorkingCurriculum.objects.select_for_update().get(pk=wc.pk)
        if not access.scope_for(user, Programme, "change").allows_institution(wc.institution_id):
            raise RuleViolation("curriculum.programme.permission", _("You may not take this step."), "", "status")
        wc.status, wc.approved_on = WorkingCurriculum.Status.DRAFT, None
        wc.save()
    return wc
