"""The regulation's rules on agreements, as plain functions (KG Regulation on WBL, п. 2, 8, 9, 12, 18, 19, 31, 44, 57).

`covering()` / `require_covering()` answer VR-2 for other workflows (a placement, an order): is
there a signed agreement in force with the employer for the form, profession and period?
`signing_violations()` lists what keeps an agreement from leaving negotiation for signing (Hard),
`warnings()` what only warns (Soft). Every violation names its source in the rulebook.
"""

import datetime

from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils.translation import gettext as _

from kesip.core.models import Specialty
from kesip.core.rules import RuleViolation
from kesip.wbl.common import rulebook, settings_for
from kesip.wbl.models import Agreement, AgreementRosterEntry, WblForm


def _source(rules, code):
    found = rules.get(code)
    return found.source if found is not None else ""


def _applies(rules, code):
    """A code absent for the institution's country does not apply there (KZ has almost no WBL rules)."""
    return code in rules


# --------------------------------------------------------------------------------------------
# VR-2: the agreement that covers a placement


def covering_queryset(employer, form, starts_on, ends_on, specialty=None):
    """Signed or active agreements of `employer` for `form` valid over the whole of starts_on..ends_on."""
    kinds = Q(kind=Agreement.Kind.WBL, form=form)
    if form == WblForm.APPRENTICESHIP:
        kinds |= Q(kind=Agreement.Kind.APPRENTICESHIP)
    qs = Agreement.objects.filter(
        kinds,
        employer=employer,
        status__in=Agreement.IN_FORCE,
        starts_on__lte=starts_on,
        ends_on__gte=ends_on,
    )
    if specialty is not None:
        through = Agreement.specialties.through
        lists_any = Exists(through.objects.filter(agreement_id=OuterRef("pk")))
        lists_this = Exists(through.objects.filter(agreement_id=OuterRef("pk"), specialty_id=getattr(specialty, "pk", specialty)))
        qs = qs.filter(~lists_any | lists_this)
    # Prefer an active agreement, then the one that stays valid the longest.
    active_first = Case(When(status=Agreement.Status.ACTIVE, then=Value(0)), default=Value(1))
    return qs.order_by(active_first, "-ends_on", "-pk")


def covering(employer, form, starts_on, ends_on, specialty=None, on=None):
    """The signed/active WBL agreement of `employer` for `form` whose validity holds the whole date range.

    For apprenticeship an apprenticeship training agreement (Labour Code) counts as well. When the
    agreement lists professions and `specialty` (a Specialty or its pk) is given, it must be one of
    them. `on` is the day whose rulebook applies (today by default). Returns the Agreement or None.
    """
    if employer is None or not form or starts_on is None or ends_on is None:
        return None
    return covering_queryset(employer, form, starts_on, ends_on, specialty).select_related("employer").first()


def require_covering(employer, form, starts_on, ends_on, specialty=None, on=None, field="employer"):
    """The covering agreement, or RuleViolation `wbl.agreement.required` (VR-2) naming п. 2, 12, 55, 57 item 1."""
    found = covering(employer, form, starts_on, ends_on, specialty, on)
    if found is not None:
        return found
    institution = getattr(employer, "institution", None)
    rules = rulebook(institution, on) if institution is not None else {}
    if institution is not None and not _applies(rules, "wbl.agreement.required"):
        return None
    form_label = dict(WblForm.choices).get(form, form or "—")
    params = {
        "employer": employer if employer is not None else "—",
        "form": form_label,
        "start": starts_on.strftime("%d.%m.%Y") if starts_on else "—",
        "end": ends_on.strftime("%d.%m.%Y") if ends_on else "—",
    }
    if specialty is not None:
        if not isinstance(specialty, Specialty):
            specialty = Specialty.objects.filter(pk=specialty).first()
        params["specialty"] = specialty
        message = (
            _(
                "There is no signed WBL agreement with %(employer)s for %(form)s in %(specialty)s "
                "valid from %(start)s to %(end)s. Conclude one, or change the dates."
            )
            % params
        )
    else:
        message = (
            _(
                "There is no signed WBL agreement with %(employer)s for %(form)s valid from %(start)s to %(end)s. "
                "Conclude one, or change the dates."
            )
            % params
        )
    raise RuleViolation("wbl.agreement.required", message, _source(rules, "wbl.agreement.required"), field)


def on_roster(agreement, student):
    """Whether the agreement's nominal roster names the student (an agreement without a roster names nobody)."""
    return AgreementRosterEntry.objects.filter(agreement=agreement, student=student).exists()


# --------------------------------------------------------------------------------------------
# Who the parties are (VR-3, п. 12)


def expected_parties(agreement, settings):
    """How many parties the institution's mapping asks for: a memorandum always has two (п. 31)."""
    if agreement.kind == Agreement.Kind.VOLUNTEER:
        return 2
    form = WblForm.APPRENTICESHIP if agreement.kind == Agreement.Kind.APPRENTICESHIP else agreement.form
    return settings.parties_for(form) if form else 2


def required_parties(agreement):
    """The parties whose signatures make the agreement signed: institution, employer (+ learner of a 3-party one)."""
    from kesip.wbl.models import AgreementSignature

    parties = [AgreementSignature.Party.INSTITUTION, AgreementSignature.Party.EMPLOYER]
    if agreement.party_count == 3:
        parties.append(AgreementSignature.Party.LEARNER)
    return parties


def age_on(birth_date, on):
    """Full years of age on a day."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_minor(student, on, rules):
    """True when the learner is younger than the rulebook's age (18) on `on`; None when the birth date is unknown."""
    if student is None or on is None:
        return False
    if student.birth_date is None:
        return None
    limit = rules["wbl.agreement.minor_age"].value if "wbl.agreement.minor_age" in rules else 18
    return age_on(student.birth_date, on) < limit


def party_violations(agreement, rules, settings):
    """VR-3: 2 or 3 parties as the institution's mapping for the form says; a minor signs through a representative."""
    found = []
    count = agreement.party_count
    if agreement.kind == Agreement.Kind.VOLUNTEER:
        if count != 2 and _applies(rules, "wbl.agreement.volunteer_memorandum"):
            found.append(
                RuleViolation(
                    "wbl.agreement.volunteer_memorandum",
                    _("A memorandum is concluded by the institution and the volunteer organisation only: remove the learner."),
                    _source(rules, "wbl.agreement.volunteer_memorandum"),
                    "learner",
                )
            )
        return found
    low, high = rules.get("wbl.agreement.min_parties"), rules.get("wbl.agreement.max_parties")
    if low is not None and count < low.value:
        found.append(
            RuleViolation(
                low.code,
                _("%(title)s: at least %(limit)s, but the agreement has %(count)s.")
                % {"title": low.title, "limit": int(low.value), "count": count},
                low.source,
                "learner",
            )
        )
    if high is not None and count > high.value:
        found.append(
            RuleViolation(
                high.code,
                _("%(title)s: at most %(limit)s, but the agreement has %(count)s.")
                % {"title": high.title, "limit": int(high.value), "count": count},
                high.source,
                "learner",
            )
        )
    if low is not None:
        expected = expected_parties(agreement, settings)
        label = agreement.get_kind_display() if agreement.kind == Agreement.Kind.APPRENTICESHIP else agreement.get_form_display()
        if count < expected:
            found.append(
                RuleViolation(
                    low.code,
                    _(
                        "At this institution an agreement for %(form)s has %(expected)s parties: "
                        "add the learner or the learner's legal representative as the third party."
                    )
                    % {"form": label, "expected": expected},
                    low.source,
                    "learner",
                )
            )
        elif count > expected:
            found.append(
                RuleViolation(
                    low.code,
                    _(
                        "At this institution an agreement for %(form)s has %(expected)s parties, the institution and the "
                        "employer: remove the learner and the legal representative."
                    )
                    % {"form": label, "expected": expected},
                    low.source,
                    "learner",
                )
            )
    if agreement.learner_id and not agreement.legal_representative and _applies(rules, "wbl.agreement.minor_age"):
        minor = is_minor(agreement.learner, agreement.starts_on, rules)
        rule = rules["wbl.agreement.minor_age"]
        if minor:
            found.append(
                RuleViolation(
                    rule.code,
                    _(
                        "%(learner)s is under %(age)s on %(date)s: the legal representative is a party to the agreement. "
                        "Name the legal representative."
                    )
                    % {"learner": agreement.learner, "age": int(rule.value), "date": agreement.starts_on.strftime("%d.%m.%Y")},
                    rule.source,
                    "legal_representative",
                )
            )
        elif minor is None:
            found.append(
                RuleViolation(
                    rule.code,
                    _("The date of birth of %(learner)s is not known: record it, or name the legal representative.")
                    % {"learner": agreement.learner},
                    rule.source,
                    "legal_representative",
                )
            )
    return found


# --------------------------------------------------------------------------------------------
# What the agreement must say (VR-4, VR-23, VR-33, п. 31)


def _level(student):
    group = getattr(student, "group", None)
    programme = getattr(group, "programme", None) if group is not None else None
    specialty = getattr(programme, "specialty", None) if programme is not None else None
    return specialty.level if specialty is not None else None


def _primary_violation(rules, student, field):
    rule_code = "wbl.agreement.apprenticeship_primary_vocational"
    level = _level(student)
    if level == Specialty.Level.PRIMARY_VOCATIONAL:
        return None
    if level is None:
        message = _(
            "%(learner)s is in no group of a programme: apprenticeship is only for learners of primary vocational programmes."
        ) % {"learner": student}
    else:
        message = _(
            "%(learner)s studies a programme of level “%(level)s”: apprenticeship is only for learners of primary "
            "vocational programmes."
        ) % {"learner": student, "level": dict(Specialty.Level.choices).get(level, level)}
    return RuleViolation(rule_code, message, _source(rules, rule_code), field)


def is_apprenticeship(agreement):
    return agreement.kind == Agreement.Kind.APPRENTICESHIP or (
        agreement.kind == Agreement.Kind.WBL and agreement.form == WblForm.APPRENTICESHIP
    )


def content_violations(agreement, rules, specialties=None):
    """What a WBL agreement, an apprenticeship agreement and a memorandum must record before signing."""
    found = []
    kind = agreement.kind
    if kind == Agreement.Kind.WBL and _applies(rules, "wbl.agreement.programme_and_ratio"):
        code = "wbl.agreement.programme_and_ratio"
        source = _source(rules, code)
        if agreement.theory_percent is None or agreement.practice_percent is None:
            found.append(
                RuleViolation(
                    code,
                    _("Record the ratio of theory at the institution to practice at the employer (both shares, in per cent)."),
                    source,
                    "theory_percent" if agreement.theory_percent is None else "practice_percent",
                )
            )
        elif agreement.theory_percent + agreement.practice_percent != 100:
            found.append(
                RuleViolation(
                    code,
                    _("Theory (%(theory)s %%) and practice (%(practice)s %%) together make 100 %%, not %(sum)s %%.")
                    % {
                        "theory": agreement.theory_percent,
                        "practice": agreement.practice_percent,
                        "sum": agreement.theory_percent + agreement.practice_percent,
                    },
                    source,
                    "practice_percent",
                )
            )
        if not agreement.agreed_programme.strip() and not agreement.wbl_programme_id:
            found.append(
                RuleViolation(
                    code,
                    _("Record the agreed training programme: describe it, or link the WBL programme."),
                    source,
                    "agreed_programme",
                )
            )
    if agreement.wbl_programme_id:
        programme = agreement.wbl_programme
        if programme.institution_id != agreement.institution_id:
            found.append(
                RuleViolation("wbl.agreement.programme", _("Choose a WBL programme of this institution."), "", "wbl_programme")
            )
        elif agreement.form and programme.form != agreement.form:
            found.append(
                RuleViolation(
                    "wbl.agreement.programme",
                    _("The WBL programme is for %(programme_form)s, the agreement for %(form)s.")
                    % {"programme_form": programme.get_form_display(), "form": agreement.get_form_display()},
                    "",
                    "wbl_programme",
                )
            )
    if kind == Agreement.Kind.WBL and agreement.form == WblForm.DUAL and _applies(rules, "wbl.agreement.dual_clauses"):
        code = "wbl.agreement.dual_clauses"
        if not agreement.employer_is_customer:
            found.append(
                RuleViolation(
                    code,
                    _("In dual training the employer is the customer of the training of specialists: say so in the agreement."),
                    _source(rules, code),
                    "employer_is_customer",
                )
            )
        if not agreement.curriculum_agreed_on:
            found.append(
                RuleViolation(
                    code,
                    _("In dual training the employer agrees the working curriculum and the calendar schedule: give the day."),
                    _source(rules, code),
                    "curriculum_agreed_on",
                )
            )
        elif agreement.curriculum_agreed_on > datetime.date.today():
            found.append(
                RuleViolation(
                    code, _("The agreement cannot be dated in the future."), _source(rules, code), "curriculum_agreed_on"
                )
            )
        if not agreement.individual_schedule.strip():
            found.append(
                RuleViolation(
                    code,
                    _("A dual-training agreement sets out the learner's individual training schedule."),
                    _source(rules, code),
                    "individual_schedule",
                )
            )
        if not agreement.employment_clause.strip():
            found.append(
                RuleViolation(
                    code,
                    _("A dual-training agreement provides for the employment of the graduate in the profession."),
                    _source(rules, code),
                    "employment_clause",
                )
            )
    if kind == Agreement.Kind.APPRENTICESHIP and _applies(rules, "wbl.agreement.apprenticeship_primary_vocational"):
        code = "wbl.agreement.apprenticeship_primary_vocational"
        if not agreement.learner_id:
            found.append(
                RuleViolation(
                    code,
                    _("An apprenticeship training agreement is concluded with the apprentice: choose the learner."),
                    _source(rules, code),
                    "learner",
                )
            )
    if is_apprenticeship(agreement) and _applies(rules, "wbl.agreement.apprenticeship_primary_vocational"):
        if agreement.learner_id:
            v = _primary_violation(rules, agreement.learner, "learner")
            if v:
                found.append(v)
        chosen = list(specialties) if specialties is not None else (list(agreement.specialties.all()) if agreement.pk else [])
        for specialty in chosen:
            if specialty.level != Specialty.Level.PRIMARY_VOCATIONAL:
                found.append(
                    RuleViolation(
                        "wbl.agreement.apprenticeship_primary_vocational",
                        _("%(specialty)s is not a profession of primary vocational education: apprenticeship is not for it.")
                        % {"specialty": specialty},
                        _source(rules, "wbl.agreement.apprenticeship_primary_vocational"),
                        "specialties",
                    )
                )
    if kind == Agreement.Kind.VOLUNTEER and agreement.form:
        found.append(
            RuleViolation(
                "wbl.agreement.volunteer_memorandum",
                _("A memorandum with a volunteer organisation covers no form of WBL."),
                _source(rules, "wbl.agreement.volunteer_memorandum"),
                "form",
            )
        )
    return found


def specialty_violations(agreement, specialties):
    """Professions of the institution's own national classifier only."""
    found = []
    for specialty in specialties:
        if specialty.jurisdiction != agreement.institution.jurisdiction:
            found.append(
                RuleViolation(
                    "wbl.agreement.specialties",
                    _("%(specialty)s belongs to another country's classifier.") % {"specialty": specialty},
                    "",
                    "specialties",
                )
            )
    return found


# --------------------------------------------------------------------------------------------
# The nominal roster (VR-43, п. 56 item 5, п. 57 items 3–5)


def roster_violations(agreement, students, rules, added=None):
    """The whole roster `students` (Student objects) as it would be; `added` the ids new to it (None: check everyone).

    Every student of the institution; a new one must be studying; no more learners than the
    agreement's workplaces; apprenticeship: primary vocational learners only.
    """
    found = []
    if agreement.kind == Agreement.Kind.VOLUNTEER and students:
        found.append(
            RuleViolation(
                "wbl.agreement.volunteer_memorandum",
                _("A memorandum with a volunteer organisation has no roster of learners."),
                _source(rules, "wbl.agreement.volunteer_memorandum"),
                "roster",
            )
        )
        return found
    check_all = added is None
    added = set(added or ())
    for student in students:
        if student.institution_id != agreement.institution_id:
            found.append(RuleViolation("wbl.agreement.roster", _("Choose students of this institution."), "", "roster"))
            return found
    for student in students:
        if student.pk in added and student.status != student.Status.ENROLLED:
            found.append(
                RuleViolation(
                    "wbl.agreement.roster",
                    _("%(student)s is not studying now (%(status)s) and cannot be added to the roster.")
                    % {"student": student, "status": student.get_status_display()},
                    "",
                    "roster",
                )
            )
    if agreement.places is not None and len(students) > agreement.places:
        code = "wbl.agreement.roster_within_places"
        found.append(
            RuleViolation(
                code,
                _("The agreement provides %(places)s workplaces, but the roster would hold %(count)s learners.")
                % {"places": agreement.places, "count": len(students)},
                _source(rules, code),
                "places" if check_all or not added else "roster",
            )
        )
    if is_apprenticeship(agreement) and _applies(rules, "wbl.agreement.apprenticeship_primary_vocational"):
        for student in students:
            if check_all or student.pk in added:
                v = _primary_violation(rules, student, "roster")
                if v:
                    found.append(v)
    return found


# --------------------------------------------------------------------------------------------
# Before signing: everything at once


def roster_students(agreement):
    from kesip.core.models import Student

    if not agreement.pk:
        return []
    return list(
        Student.objects.filter(pk__in=AgreementRosterEntry.objects.filter(agreement=agreement).values("student_id"))
        .select_related("group__programme__specialty")
        .order_by("last_name", "first_name", "pk")
    )


def signing_violations(agreement, students=None, specialties=None, rules=None, settings=None):
    """Every Hard rule that keeps the agreement from being signed (an empty list: it may be signed)."""
    rules = rules if rules is not None else rulebook(agreement.institution)
    settings = settings if settings is not None else settings_for(agreement.institution)
    students = students if students is not None else roster_students(agreement)
    found = party_violations(agreement, rules, settings)
    found += content_violations(agreement, rules, specialties)
    found += roster_violations(agreement, students, rules)
    return found


def warnings(agreement, rules=None, settings=None):
    """Soft rules: they never block, the page and the API show them (VR-24)."""
    rules = rules if rules is not None else rulebook(agreement.institution)
    settings = settings if settings is not None else settings_for(agreement.institution)
    found = []
    code = "wbl.agreement.dual_practice_share"
    if (
        agreement.kind == Agreement.Kind.WBL
        and agreement.form == WblForm.DUAL
        and agreement.practice_percent is not None
        and agreement.practice_percent < settings.dual_min_practice_percent
        and _applies(rules, code)
    ):
        found.append(
            RuleViolation(
                code,
                _(
                    "In dual training practical forms are primary: the practice share is %(share)s %%, below the "
                    "%(limit)s %% the institution expects."
                )
                % {"share": agreement.practice_percent, "limit": settings.dual_min_practice_percent},
                _source(rules, code),
                "practice_percent",
            )
        )
    return found


def forms_violation(rules, field="form"):
    """VR-53: the employer's side may not set the kind, form or professions of an agreement (п. 8)."""
    code = "wbl.agreement.forms_by_institution"
    return RuleViolation(
        code,
        _("The institution sets the forms of WBL for a profession: the employer's side cannot change them."),
        _source(rules, code),
        field,
    )
