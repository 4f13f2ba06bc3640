"""The rules of graduates' employment (п. 4, 19, 56 item 13) and of qualification upgrading (п. 56 item 14).

Plain functions over values: they return the RuleViolations found (empty: nothing broken), each with
its rulebook source where the rule is in the rulebook. The services call them inside the step's
transaction, so a refused step changes nothing.
"""

from django.utils.translation import gettext as _

from kesip.core.rules import RuleViolation

GRADUATE = "wbl.employment.graduate"
EMPLOYER = "wbl.employment.employer"
NEEDS = "wbl.upgrading.needs"

WORKING = ("employed", "self_employed")
UPGRADED_CATEGORIES = ("teacher", "master")


def _source(book, code):
    return book[code].source if code in book else ""


def day(value):
    return value.strftime("%d.%m.%Y") if value else ""


# --- Graduates' employment ---------------------------------------------------------------------------


def employment_violations(record, student, book, today):
    """Everything wrong with an employment record of `student` (the graduate, already loaded)."""
    found = []
    if student is None:
        return [RuleViolation(GRADUATE, _("Choose the graduate."), _source(book, GRADUATE), "student")]
    if student.status != student.Status.GRADUATED:
        found.append(
            RuleViolation(
                GRADUATE,
                _("%(student)s has not graduated: employment is recorded for graduates (status “graduated” by order).")
                % {"student": student},
                _source(book, GRADUATE),
                "student",
            )
        )
    working = record.outcome in WORKING
    has_employer, has_name = bool(record.employer_id), bool((record.employer_name or "").strip())
    if working and has_employer and has_name:
        found.append(
            RuleViolation(
                EMPLOYER,
                _("Choose the employer from the register or type its name, not both."),
                _source(book, EMPLOYER),
                "employer_name",
            )
        )
    elif working and not (has_employer or has_name):
        found.append(
            RuleViolation(
                EMPLOYER,
                _("Name the employer: choose it from the register or type its name."),
                _source(book, EMPLOYER),
                "employer",
            )
        )
    elif not working and (has_employer or has_name):
        found.append(
            RuleViolation(
                EMPLOYER,
                _("“%(outcome)s” names no employer: leave the employer empty.") % {"outcome": record.get_outcome_display()},
                _source(book, EMPLOYER),
                "employer" if has_employer else "employer_name",
            )
        )
    if not working and record.in_profession:
        found.append(
            RuleViolation(
                "wbl.employment.profession",
                _("Only a graduate who works can work in the profession studied."),
                "",
                "in_profession",
            )
        )
    if not working and (record.position or "").strip():
        found.append(RuleViolation("wbl.employment.position", _("A position is given only for work."), "", "position"))
    if record.starts_on and record.ends_on and record.ends_on < record.starts_on:
        found.append(
            RuleViolation(
                "wbl.employment.dates",
                _("The end (%(end)s) comes before the start (%(start)s).")
                % {"end": day(record.ends_on), "start": day(record.starts_on)},
                "",
                "ends_on",
            )
        )
    if record.starts_on and record.starts_on > today:
        found.append(RuleViolation("wbl.employment.dates", _("The start is a day that has not come yet."), "", "starts_on"))
    if record.adaptation and not working:
        found.append(
            RuleViolation(
                "wbl.employment.adaptation", _("Adaptation at the workplace is followed only for work."), "", "adaptation"
            )
        )
    if (record.adaptation or (record.adaptation_note or "").strip()) and not record.checked_on:
        found.append(RuleViolation("wbl.employment.checked_on", _("Give the day the adaptation was checked."), "", "checked_on"))
    if record.checked_on:
        if record.starts_on and record.checked_on < record.starts_on:
            found.append(
                RuleViolation(
                    "wbl.employment.checked_on",
                    _("The adaptation is checked from the start of the work (%(start)s).") % {"start": day(record.starts_on)},
                    "",
                    "checked_on",
                )
            )
        elif record.checked_on > today:
            found.append(
                RuleViolation("wbl.employment.checked_on", _("The check is a day that has not come yet."), "", "checked_on")
            )
    if record.adaptation == "left" and not record.ends_on:
        found.append(
            RuleViolation("wbl.employment.dates", _("The graduate left the job: give the day the work ended."), "", "ends_on")
        )
    return found


# --- Training needs and upgrading ------------------------------------------------------------------------


def person_violations(obj, field_staff="staff", field_mentor="mentor"):
    """A need or an enrolment is of exactly one person: a teacher or master, or an employer's mentor, of the institution."""
    found = []
    if bool(obj.staff_id) == bool(obj.mentor_id):
        found.append(
            RuleViolation(
                "wbl.upgrading.person",
                _("Choose one person: a teacher or master of the institution, or an employer's mentor."),
                "",
                field_staff,
            )
        )
        return found
    if obj.staff_id:
        staff = obj.staff
        if staff.institution_id != obj.institution_id:
            found.append(RuleViolation("wbl.upgrading.person", _("Choose a staff member of this institution."), "", field_staff))
        elif staff.category not in UPGRADED_CATEGORIES:
            found.append(
                RuleViolation(
                    "wbl.upgrading.person",
                    _("%(person)s is not a teacher or master (п. 56 item 14 covers teachers and mentors).") % {"person": staff},
                    "",
                    field_staff,
                )
            )
    else:
        mentor = obj.mentor
        if mentor.institution_id != obj.institution_id:
            found.append(
                RuleViolation("wbl.upgrading.person", _("Choose a mentor of this institution's employers."), "", field_mentor)
            )
        elif not mentor.is_mentor:
            found.append(
                RuleViolation(
                    "wbl.upgrading.person",
                    _("%(person)s is not marked as a mentor of the employer.") % {"person": mentor},
                    "",
                    field_mentor,
                )
            )
    return found


def audience_violation(programme, obj, field="staff"):
    """A teachers' programme takes teachers and masters; a mentors' programme, mentors."""
    if programme.audience == "teachers" and obj.mentor_id:
        return RuleViolation(
            "wbl.upgrading.audience", _("The programme is for teachers and masters, not for mentors."), "", "mentor"
        )
    if programme.audience == "mentors" and obj.staff_id:
        return RuleViolation(
            "wbl.upgrading.audience", _("The programme is for employers' mentors, not for teachers and masters."), "", field
        )
    return None


def needs_violations(programme, needs, book):
    """The needs a new programme is built on (п. 56 item 14): at least the rulebook's number, all open, all fitting."""
    found = []
    least = int(book[NEEDS].value) if NEEDS in book else 0
    if len(needs) < least:
        found.append(
            RuleViolation(
                NEEDS,
                _("Choose at least %(n)s training need the programme answers (the analysis of needs).") % {"n": least},
                _source(book, NEEDS),
                "needs",
            )
        )
    for need in needs:
        if need.institution_id != programme.institution_id:
            found.append(RuleViolation(NEEDS, _("A need of another institution cannot be chosen."), "", "needs"))
        elif need.status != "open" and need.programme_id != programme.pk:
            found.append(
                RuleViolation(
                    NEEDS,
                    _("The need “%(need)s” is already “%(status)s”.") % {"need": need, "status": need.get_status_display()},
                    "",
                    "needs",
                )
            )
        else:
            v = audience_violation(programme, need, "needs")
            if v is not None:
                found.append(RuleViolation(v.code, f"{need}: {v.message}", "", "needs"))
    return found


def programme_violations(programme, taken):
    """The programme's own figures: dates in order, places not below the people already in it."""
    found = []
    if programme.starts_on and programme.ends_on and programme.ends_on < programme.starts_on:
        found.append(RuleViolation("wbl.upgrading.dates", _("The programme ends before it starts."), "", "ends_on"))
    if programme.places is not None and programme.places < taken:
        found.append(
            RuleViolation(
                "wbl.upgrading.places",
                _("%(n)s people are already enrolled: the places cannot be fewer.") % {"n": taken},
                "",
                "places",
            )
        )
    return found


def places_violation(programme, taken):
    """The N-th person takes the last place; the (N+1)-th is refused."""
    if programme.places is not None and taken >= programme.places:
        return RuleViolation(
            "wbl.upgrading.places",
            _("All %(n)s places of the programme are taken.") % {"n": programme.places},
            "",
            "places",
        )
    return None


def completion_violations(enrolment, programme, certificate_number, completed_on, today):
    found = []
    if enrolment.result != "enrolled":
        found.append(
            RuleViolation(
                "wbl.upgradingenrolment.result",
                _("The enrolment is already “%(result)s”.") % {"result": enrolment.get_result_display()},
                "",
                "result",
            )
        )
    if not (certificate_number or "").strip():
        found.append(
            RuleViolation(
                "wbl.upgrading.certificate", _("Give the number of the certificate of completion."), "", "certificate_number"
            )
        )
    if completed_on is None:
        found.append(RuleViolation("wbl.upgrading.completed_on", _("Give the day of completion."), "", "completed_on"))
    elif completed_on < programme.starts_on or completed_on > today:
        found.append(
            RuleViolation(
                "wbl.upgrading.completed_on",
                _("The programme is completed on a day from its start (%(start)s) to today.")
                % {"start": day(programme.starts_on)},
                "",
                "completed_on",
            )
        )
    return found
