"""The rules of internships (п. 34–43), volunteer practice (п. 31) and apprenticeship outside a programme (п. 47).

Plain functions over records and a rulebook (`kesip.wbl.common.rulebook`): each returns every broken
rule at once as RuleViolation objects naming their field and clause. A code absent from the
country's rulebook does not apply there (a Kazakh college has no п. 31 and no 40-hour rule); the
rules that only follow the data model (a certificate is of an internship, one in force per internship) hold
everywhere and then carry no clause.
"""

import datetime

from django.db.models import Exists, OuterRef
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kesip.core.rules import RuleViolation

VOLUNTEER_HOURS = "wbl.volunteer.min_hours"
MEMORANDUM = "wbl.volunteer.memorandum"
PERSONAL_BOOK = "wbl.volunteer.personal_book"
VOLUNTEER_AGREEMENT = "wbl.volunteer.agreement"
VOLUNTEER_TYPE = "wbl.volunteer.practice_type"
PER_INTERN = "wbl.internship.programmes_per_intern"
PROGRAMME_AGREED = "wbl.internship.programme_agreed"
SITE_PROFILE = "wbl.internship.site.profile"
CERTIFICATE_SUCCESSFUL = "wbl.internship.certificate.successful"
CERTIFICATE_LETTERHEAD = "wbl.internship.certificate.letterhead"
OUTSIDE_NOTICE = "wbl.apprenticeship.outside_programme.notice"

# The justification of an internship's duration (п. 40, VR-30), each with what the page asks.
JUSTIFICATION = (
    ("intern_education", "education level"),
    ("internship_goals", "goals"),
    ("intern_experience", "work experience"),
    ("intern_position", "position"),
    ("duration_reason", "duration"),
)


def day(value):
    return date_format(value, "d.m.Y") if value else ""


def _source(book, code):
    return book[code].source if code in book else ""


def found(book, code, message, field):
    return RuleViolation(code, message, _source(book, code), field)


# --- Volunteer practice (п. 31, VR-22) ------------------------------------------------------------


def memorandum_covers(agreement, starts_on, ends_on):
    """Whether the memorandum was signed and in force on every day from `starts_on` to `ends_on`.

    Signed, active, or expired after running its term; a terminated one only if it ended after the
    last day. A draft or one under negotiation never counts.
    """
    from kesip.wbl.models import Agreement

    S = Agreement.Status
    if agreement.kind != Agreement.Kind.VOLUNTEER:
        return False
    if agreement.status in (S.SIGNED, S.ACTIVE, S.EXPIRED):
        in_force = True
    elif agreement.status == S.TERMINATED:
        in_force = bool(agreement.terminated_on and agreement.terminated_on > ends_on)
    else:
        in_force = False
    return in_force and agreement.starts_on <= starts_on and agreement.ends_on >= ends_on


def memoranda_for(recognition):
    """The institution's volunteer memoranda with the recognition's organisation, newest first (one query)."""
    from kesip.wbl.models import Agreement

    return list(
        Agreement.objects.filter(
            institution_id=recognition.institution_id,
            employer_id=recognition.organisation_id,
            kind=Agreement.Kind.VOLUNTEER,
        ).order_by("-ends_on", "-pk")
    )


def memorandum_violation(recognition, book):
    """What is wrong with the recognition's memorandum (or its absence); None when it holds."""
    if MEMORANDUM not in book:
        return None
    memo = recognition.memorandum if recognition.memorandum_id else None
    span = {"from": day(recognition.starts_on), "to": day(recognition.ends_on)}
    if memo is None:
        return found(
            book,
            MEMORANDUM,
            _(
                "The institution has no cooperation memorandum with %(org)s in force from %(from)s to %(to)s: "
                "conclude one or choose it."
            )
            % {"org": recognition.organisation, **span},
            "memorandum",
        )
    from kesip.wbl.models import Agreement

    if memo.kind != Agreement.Kind.VOLUNTEER or memo.employer_id != recognition.organisation_id:
        return found(
            book,
            MEMORANDUM,
            _("Choose a cooperation memorandum with %(org)s, the volunteer organisation.") % {"org": recognition.organisation},
            "memorandum",
        )
    if memo.status not in (*Agreement.IN_FORCE, Agreement.Status.EXPIRED, Agreement.Status.TERMINATED):
        return found(
            book,
            MEMORANDUM,
            _("The memorandum %(memo)s is not signed (“%(status)s”).") % {"memo": memo, "status": memo.get_status_display()},
            "memorandum",
        )
    if not memorandum_covers(memo, recognition.starts_on, recognition.ends_on):
        valid_to = memo.ends_on
        if memo.status == Agreement.Status.TERMINATED and memo.terminated_on:
            valid_to = min(valid_to, memo.terminated_on - datetime.timedelta(days=1))
        return found(
            book,
            MEMORANDUM,
            _("The memorandum %(memo)s is in force from %(start)s to %(end)s; the volunteering ran from %(from)s to %(to)s.")
            % {"memo": memo, "start": day(memo.starts_on), "end": day(valid_to), **span},
            "memorandum",
        )
    return None


def component_violation(recognition):
    """The practice component to credit must be a practice of the learner's programme, of the type credited."""
    component = recognition.component if recognition.component_id else None
    if component is None:
        return None
    student = recognition.student
    programme_id = getattr(student.group, "programme_id", None) if student.group_id else None
    if not component.is_practice or component.module.programme_id != programme_id:
        return RuleViolation(
            "wbl.volunteer.component",
            _("Choose a practice component of the learner's programme."),
            "",
            "component",
        )
    if component.practice_type and component.practice_type != recognition.practice_type:
        return RuleViolation(
            "wbl.volunteer.component",
            _("The component is “%(component)s”, but the volunteering is to be credited as “%(type)s”.")
            % {"component": component.get_practice_type_display(), "type": recognition.get_practice_type_display()},
            "",
            "component",
        )
    return None


def volunteer_record_violations(recognition):
    """What a submitted record may not hold whatever the country: its own institution's records, dates in order."""
    from kesip.wbl.models import VolunteerRecognition

    inst = recognition.institution_id
    out = []
    for field in ("student", "organisation", "memorandum", "component"):
        related = getattr(recognition, field) if getattr(recognition, f"{field}_id") else None
        if related is not None and related.institution_id != inst:
            out.append(RuleViolation("wbl.volunteer.institution", _("Choose a record of this institution."), "", field))
    if recognition.starts_on and recognition.ends_on and recognition.ends_on < recognition.starts_on:
        out.append(RuleViolation("wbl.volunteer.dates", _("The volunteering cannot end before it starts."), "", "ends_on"))
    if recognition.practice_type not in VolunteerRecognition.CREDITABLE:
        out.append(
            RuleViolation(
                VOLUNTEER_TYPE,
                _("Volunteering is credited only as educational, production or pre-diploma practice."),
                "",
                "practice_type",
            )
        )
    if not out:
        c = component_violation(recognition)
        if c:
            out.append(c)
    return out


def recognition_violations(recognition, book):
    """Every reason the volunteering cannot be recognised as practice (VR-22), in the order of п. 31."""
    out = evidence_violations(recognition, book)
    for v in volunteer_record_violations(recognition):
        if v.code == VOLUNTEER_TYPE:
            v.source = _source(book, VOLUNTEER_TYPE)
        out.append(v)
    return out


def evidence_violations(recognition, book):
    """What the evidence lacks (VR-22, п. 31): the hours, the memorandum, the personal book, the volunteer agreement."""
    out = []
    if VOLUNTEER_HOURS in book:
        least = book[VOLUNTEER_HOURS].value
        if recognition.hours is None or recognition.hours < least:
            out.append(
                found(
                    book,
                    VOLUNTEER_HOURS,
                    _("%(hours)s hours of volunteering: at least %(least)s hours are recognised as practice.")
                    % {"hours": recognition.hours or 0, "least": f"{least.normalize():f}"},
                    "hours",
                )
            )
    memo = memorandum_violation(recognition, book)
    if memo:
        out.append(memo)
    if PERSONAL_BOOK in book and not (recognition.book or recognition.book_reference.strip()):
        out.append(found(book, PERSONAL_BOOK, _("Upload the volunteer's personal book or give its number."), "book_reference"))
    if VOLUNTEER_AGREEMENT in book and not (recognition.volunteer_agreement or recognition.volunteer_agreement_reference.strip()):
        out.append(
            found(
                book,
                VOLUNTEER_AGREEMENT,
                _("Upload the volunteer agreement or give its number."),
                "volunteer_agreement_reference",
            )
        )
    return out


# --- Internships (п. 34–43) -----------------------------------------------------------------------


def programme_violations(placement, agreed_on, agreed_by, book, today, referred):
    """Whether the enterprise may agree the individual programme now (VR-28, with VR-30's justification)."""
    from kesip.wbl.models import Placement, WblForm

    P = Placement
    out = []
    if placement.form != WblForm.INTERNSHIP:
        return [RuleViolation("wbl.internship.form", _("Only an internship has an individual programme."), "", "form")]
    if placement.status not in (P.Status.PLANNED, P.Status.ROSTER_AGREED) or referred:
        out.append(
            found(
                book,
                PROGRAMME_AGREED,
                _("The referral order is signed: the programme is agreed with the enterprise before the referral."),
                "programme_agreed_on",
            )
        )
    for name in ("intern_category", "internship_type", "internship_mode"):
        if not getattr(placement, name):
            out.append(
                RuleViolation(
                    "wbl.internship.programme",
                    _("Say the %(what)s before the programme is agreed.") % {"what": P._meta.get_field(name).verbose_name},
                    "",
                    name,
                )
            )
    if not placement.individual_programme.strip():
        out.append(
            found(
                book,
                PER_INTERN,
                _("Describe the tasks and the expected results of the individual programme."),
                "individual_programme",
            )
        )
    for name, _what in JUSTIFICATION:
        if not getattr(placement, name).strip():
            out.append(
                found(
                    book,
                    PER_INTERN,
                    _("The duration is set from the intern's education, goals, experience and position: fill in “%(what)s”.")
                    % {"what": P._meta.get_field(name).verbose_name},
                    name,
                )
            )
    if not (agreed_by or "").strip():
        out.append(
            RuleViolation("wbl.internship.agreed_by", _("Say who at the enterprise agreed the programme."), "", "agreed_by")
        )
    if agreed_on is None:
        out.append(RuleViolation("wbl.internship.agreed_on", _("Give the date of the agreement."), "", "agreed_on"))
    elif agreed_on > today:
        out.append(RuleViolation("wbl.internship.agreed_on", _("The agreement cannot be dated in the future."), "", "agreed_on"))
    elif agreed_on > placement.starts_on:
        out.append(
            found(
                book,
                PROGRAMME_AGREED,
                _("The programme is agreed before the internship starts (%(start)s).") % {"start": day(placement.starts_on)},
                "agreed_on",
            )
        )
    return out


OUTCOME_STATUSES = ("active", "completed", "assessed", "closed")


def outcome_violations(placement, outcome, on, certificate):
    """Whether the outcome may be recorded (or changed) on `on`: from the internship's last day, no live certificate."""
    from kesip.wbl.models import Placement, WblForm

    if placement.form != WblForm.INTERNSHIP:
        return [RuleViolation("wbl.internship.form", _("Only an internship has an outcome."), "", "outcome")]
    out = []
    if outcome not in Placement.Outcome.values:
        out.append(
            RuleViolation("wbl.internship.outcome", _("Choose whether the internship was completed successfully."), "", "outcome")
        )
    if placement.status not in OUTCOME_STATUSES:
        out.append(
            RuleViolation(
                "wbl.internship.outcome",
                _("The internship is “%(status)s”: its outcome is recorded once it has taken place.")
                % {"status": placement.get_status_display()},
                "",
                "outcome",
            )
        )
    if on < placement.ends_on:
        out.append(
            RuleViolation(
                "wbl.internship.outcome",
                _("The internship lasts until %(end)s: record its outcome from that day on.") % {"end": day(placement.ends_on)},
                "",
                "outcome",
            )
        )
    if certificate is not None and certificate.revoked_on is None:
        out.append(
            RuleViolation(
                "wbl.internship.outcome",
                _("Certificate № %(number)s is issued: revoke it before changing the outcome.") % {"number": certificate.number},
                "",
                "outcome",
            )
        )
    return out


def certificate_violations(placement, letterhead, issued_on, book, today, existing=None):
    """Every reason a certificate cannot be issued (VR-32; VR-37 for an apprenticeship outside a programme).

    `existing` is the internship's certificate in force (a revoked one does not stand in the way of a new one).
    """
    from kesip.wbl.models import Certificate, Placement, WblForm

    if placement.form == WblForm.APPRENTICESHIP and placement.outside_wbl_programme:
        return [
            RuleViolation(
                OUTSIDE_NOTICE,
                _(
                    "No diploma or certificate is issued for an apprenticeship run by the employer outside a WBL programme: "
                    "the apprentice applies to the Independent Certification and Validation Centre under the Ministry of "
                    "Education and Science of the Kyrgyz Republic."
                ),
                _source(book, OUTSIDE_NOTICE),
                "form",
            )
        ]
    if placement.form != WblForm.INTERNSHIP:
        return [RuleViolation("wbl.internship.form", _("A certificate is issued only for an internship."), "", "form")]
    out = []
    if existing is not None and existing.revoked_on is None:
        out.append(
            found(
                book,
                CERTIFICATE_SUCCESSFUL,
                _(
                    "Certificate № %(number)s of %(date)s is in force for this internship: a second one is not issued. "
                    "Revoke it first to issue a new one."
                )
                % {"number": existing.number, "date": day(existing.issued_on)},
                "letterhead",
            )
        )
    if placement.status == Placement.Status.CANCELLED:
        out.append(RuleViolation("wbl.internship.status", _("The internship is cancelled."), "", "status"))
    if placement.outcome != Placement.Outcome.SUCCESSFUL:
        out.append(
            found(
                book,
                CERTIFICATE_SUCCESSFUL,
                _("A certificate is issued only to an intern who completed the internship successfully.")
                if placement.outcome
                else _("Record the outcome of the internship first: a certificate is issued only on successful completion."),
                "outcome",
            )
        )
    if letterhead not in Certificate.Letterhead.values:
        out.append(
            found(
                book,
                CERTIFICATE_LETTERHEAD,
                _("The certificate is issued on the letterhead of the enterprise or of the institution."),
                "letterhead",
            )
        )
    elif letterhead == Certificate.Letterhead.EMPLOYER and not (
        placement.employer.name.strip() and placement.employer.address.strip()
    ):
        out.append(
            found(
                book,
                CERTIFICATE_LETTERHEAD,
                _("%(employer)s has no address for its letterhead: add it to the employer's record.")
                % {"employer": placement.employer},
                "letterhead",
            )
        )
    if issued_on is None:
        out.append(RuleViolation("wbl.certificate.date", _("Give the date of issue."), "", "issued_on"))
    elif issued_on > today:
        out.append(RuleViolation("wbl.certificate.date", _("A certificate cannot be dated in the future."), "", "issued_on"))
    elif issued_on < placement.ends_on:
        out.append(
            RuleViolation(
                "wbl.certificate.date",
                _("The internship ends on %(end)s: the certificate is dated that day or later.")
                % {"end": day(placement.ends_on)},
                "",
                "issued_on",
            )
        )
    return out


def site_violations(site, placement, others):
    """A site belongs to the internship's institution, lies within the internship and does not repeat another site."""
    out = []
    if site.employer_id and site.employer.institution_id != placement.institution_id:
        out.append(RuleViolation("wbl.internship.site", _("Choose a record of this institution."), "", "employer"))
    if site.starts_on and site.ends_on and site.ends_on < site.starts_on:
        out.append(RuleViolation("wbl.internship.site", _("A site's period cannot end before it starts."), "", "ends_on"))
    span = {"start": day(placement.starts_on), "end": day(placement.ends_on)}
    if site.starts_on and site.starts_on < placement.starts_on:
        out.append(
            RuleViolation(
                "wbl.internship.site",
                _("The internship runs from %(start)s to %(end)s: a site's period lies within it.") % span,
                "",
                "starts_on",
            )
        )
    if site.ends_on and site.ends_on > placement.ends_on:
        out.append(
            RuleViolation(
                "wbl.internship.site",
                _("The internship runs from %(start)s to %(end)s: a site's period lies within it.") % span,
                "",
                "ends_on",
            )
        )
    if not out:
        for other in others:
            if (
                other.pk != site.pk
                and other.employer_id == site.employer_id
                and other.starts_on <= site.ends_on
                and other.ends_on >= site.starts_on
            ):
                out.append(
                    RuleViolation(
                        "wbl.internship.site",
                        _("%(employer)s is already a site from %(start)s to %(end)s.")
                        % {"employer": other.employer, "start": day(other.starts_on), "end": day(other.ends_on)},
                        "",
                        "starts_on",
                    )
                )
                break
    return out


def profiled_employer_ids(institution_id, employer_ids):
    """Of `employer_ids`, those linked to a profession the institution trains for (one query).

    A link is a workplace of a specialty of one of the institution's active programmes, an agreement
    naming such a specialty, or co-development of one of its programmes.
    """
    from kesip.core.models import Employer, Programme
    from kesip.wbl.models import Agreement, Workplace

    ids = {i for i in employer_ids if i}
    if not ids:
        return set()
    specialties = Programme.objects.filter(institution_id=institution_id, is_active=True).values("specialty_id")
    return set(
        Employer.objects.filter(pk__in=ids)
        .filter(
            Exists(Workplace.objects.filter(employer=OuterRef("pk"), specialty_id__in=specialties))
            | Exists(Agreement.objects.filter(employer=OuterRef("pk"), specialties__in=specialties))
            | Exists(Programme.objects.filter(institution_id=institution_id, co_developers=OuterRef("pk")))
        )
        .values_list("pk", flat=True)
    )


def site_warnings(placement, employers, book, profiled):
    """VR-31 (soft): each site's enterprise matches the institution's professions; a pedagogical one is educational.

    `employers` are the host and the sites' employers; `profiled` the ids `profiled_employer_ids` found.
    Returns {employer id: [RuleViolation]}. Nothing when the rule does not apply in the country.
    """
    from kesip.core.models import Employer
    from kesip.wbl.models import Placement

    if SITE_PROFILE not in book:
        return {}
    warnings = {}
    for employer in employers:
        found_here = []
        if employer.pk not in profiled:
            found_here.append(
                found(
                    book,
                    SITE_PROFILE,
                    _(
                        "Nothing links %(employer)s to a profession the institution trains for: no workplace, agreement "
                        "or co-developed programme names one."
                    )
                    % {"employer": employer},
                    "employer",
                )
            )
        if placement.internship_type == Placement.InternshipType.PEDAGOGICAL and employer.sector != Employer.Sector.EDUCATION:
            found_here.append(
                found(
                    book,
                    SITE_PROFILE,
                    _("A pedagogical internship is held at an educational organisation; %(employer)s is in “%(sector)s”.")
                    % {"employer": employer, "sector": employer.get_sector_display()},
                    "employer",
                )
            )
        if found_here:
            warnings[employer.pk] = found_here
    return warnings
