"""Internships (п. 34–43), volunteer practice (п. 31) and the notice of an apprenticeship outside a programme (п. 47).

An internship is a Placement of form “internship” — of a learner completing the programme, a
graduate, or a teacher sent for qualification upgrading (F25). On top of the generic placement
workflow (roster, orders, briefings, diary, assessment: the placements, orders and diary
modules) it has its own steps, one function each, each in one transaction on the locked row:

    save_internship     the individual programme and the grounds of its duration, while not referred
    save_site/delete_site  the sites at one or several enterprises within the internship (п. 37; VR-31 warns)
    agree_programme     the enterprise agreed the programme — before the referral order (п. 39, VR-28)
    record_outcome      completed successfully or not, from the internship's last day
    issue_certificate   the certificate, only on success (п. 43, VR-32), numbered from the register,
                        printed once as a PDF whose SHA-256 is kept; a completed or assessed internship closes
    revoke_certificate  the certificate stops being genuine on its public verification page; a new one
                        may then be issued (new number, new code), one in force at a time

Volunteer practice: submitted → recognised (VR-22: hours, memorandum, personal book, volunteer
agreement, a creditable type) / rejected; the decision records who and when. `user=None` is the
system (the demo), which needs no membership.
"""

import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kesip.core import documents
from kesip.core.pdf import DOCUMENT_LANGUAGES
from kesip.core.rules import RuleViolation
from kesip.wbl import common, letterheads
from kesip.wbl import internship_rules as rules
from kesip.wbl.models import Certificate, InternshipSite, Order, OrderLine, Placement, VolunteerRecognition, WblForm

P = Placement
V = VolunteerRecognition
CERTIFICATE_SERIES = "СЕР"
INTERNSHIP_ORDER_KINDS = (Order.Kind.INTERNSHIP_REFERRAL, Order.Kind.INTERNSHIP_ADMISSION)
# What the internship's own page edits; the generic placement fields are the placements module's.
PROGRAMME_FIELDS = [
    "intern_category",
    "internship_type",
    "internship_mode",
    "individual_programme",
    "intern_education",
    "intern_experience",
    "intern_position",
    "internship_goals",
    "duration_reason",
]
EDITABLE = (P.Status.PLANNED, P.Status.ROSTER_AGREED)
SITE_EDITABLE = (P.Status.PLANNED, P.Status.ROSTER_AGREED, P.Status.ORDERED, P.Status.BRIEFED, P.Status.ACTIVE)
VOLUNTEER_FIELDS = [
    "student",
    "organisation",
    "memorandum",
    "activity",
    "starts_on",
    "ends_on",
    "hours",
    "book",
    "book_reference",
    "volunteer_agreement",
    "volunteer_agreement_reference",
    "practice_type",
    "component",
]


def today():
    return datetime.date.today()


def _may_institution(user, model, institution_id):
    """The institution's own staff who change WBL records (not an employer's people)."""
    return common.may(user, model, "change", institution_id)


def _institution_only(user, model, obj, field="status"):
    if not _may_institution(user, model, obj.institution_id):
        raise RuleViolation("wbl.permission", _("Only the institution takes this step."), "", field)


def _internship(pk, *select):
    placement = common.locked(P, pk, *select)
    if placement.form != WblForm.INTERNSHIP:
        raise RuleViolation("wbl.internship.form", _("This placement is not an internship."), "", "form")
    return placement


# --- Orders of an internship ----------------------------------------------------------------------


def order_lines(placement):
    """The internship's lines in referral and admission orders, newest first (one query)."""
    return list(
        OrderLine.objects.filter(placement_id=placement.pk, order__kind__in=INTERNSHIP_ORDER_KINDS)
        .select_related("order", "order__employer")
        .order_by("-order__dated", "-pk")
    )


def is_referred(placement, lines=None):
    """Whether a referral order naming the internship is signed (VR-28: the programme was agreed before it)."""
    if lines is None:
        return OrderLine.objects.filter(
            placement_id=placement.pk, order__kind=Order.Kind.INTERNSHIP_REFERRAL, order__status=Order.Status.SIGNED
        ).exists()
    return any(line.order.kind == Order.Kind.INTERNSHIP_REFERRAL and line.order.status == Order.Status.SIGNED for line in lines)


def orders_by_kind(lines):
    """{kind: the signed order (else the newest draft) of that kind} for the internship page."""
    chosen = {}
    for line in lines:
        order = line.order
        if order.status == Order.Status.CANCELLED:
            continue
        current = chosen.get(order.kind)
        if current is None or (current.status != Order.Status.SIGNED and order.status == Order.Status.SIGNED):
            chosen[order.kind] = order
    return chosen


def programme_agreement(placement):
    """Who agreed the programme, from the history of the step (the model keeps only the date)."""
    if not placement.programme_agreed_on:
        return ""
    record = (
        placement.history.filter(history_change_reason__startswith="agreed:")
        .order_by("-history_date", "-history_id")
        .values_list("history_change_reason", flat=True)
        .first()
    )
    return record[len("agreed:") :].strip() if record else ""


# --- Steps of an internship -------------------------------------------------------------------------


def allowed_steps(placement, user, referred, certificate, on=None):
    """The steps this user may take now, for the buttons of the internship page."""
    on = on or today()
    if placement.form != WblForm.INTERNSHIP or user is None:
        return set()
    steps = set()
    can_change = P.objects.for_user(user, "change").filter(pk=placement.pk).exists() or _may_institution(
        user, P, placement.institution_id
    )
    if not can_change:
        return steps
    if placement.status in EDITABLE and not referred:
        steps.add("programme")
        if not placement.programme_agreed_on:
            steps.add("agree")
    if placement.status in SITE_EDITABLE:
        steps.add("sites")
    live = certificate is not None and certificate.revoked_on is None
    if placement.status in rules.OUTCOME_STATUSES and on >= placement.ends_on and not live:
        steps.add("outcome")
    if _may_institution(user, Certificate, placement.institution_id):
        # A revoked certificate may be reissued (a new number and verification code); one is in force at a time.
        if not live and placement.outcome == P.Outcome.SUCCESSFUL and placement.status != P.Status.CANCELLED:
            steps.add("certify")
        if live:
            steps.add("revoke")
    return steps


@common.atomic_step
def save_internship(placement, user):
    """Change the internship's programme and the grounds of its duration while it is not referred.

    A programme agreed by the enterprise and changed afterwards must be agreed again: the date of the
    agreement is cleared.
    """
    common.require(user, P, "change", placement, "individual_programme")
    current = _internship(placement.pk)
    if current.status not in EDITABLE or is_referred(current):
        raise common.WblInvalid(
            [
                RuleViolation(
                    rules.PROGRAMME_AGREED,
                    _("The internship is referred by order: its programme is no longer changed."),
                    rules._source(common.rulebook(current.institution), rules.PROGRAMME_AGREED),
                    "individual_programme",
                )
            ]
        )
    changed = [f for f in PROGRAMME_FIELDS if getattr(current, f) != getattr(placement, f)]
    for name in PROGRAMME_FIELDS:
        setattr(current, name, getattr(placement, name))
    reagree = bool(current.programme_agreed_on) and bool(
        set(changed) & {"individual_programme", "internship_goals", "duration_reason", "internship_type", "internship_mode"}
    )
    if reagree:
        current.programme_agreed_on = None
    violations = []
    if current.intern_staff_id and current.intern_category and current.intern_category != P.InternCategory.TEACHER:
        violations.append(
            RuleViolation(
                "wbl.internship.category", _("A teacher's internship is of the category “teacher”."), "", "intern_category"
            )
        )
    if current.student_id and current.intern_category == P.InternCategory.TEACHER:
        violations.append(
            RuleViolation(
                "wbl.internship.category",
                _("A learner's internship is of a learner completing the programme or of a graduate."),
                "",
                "intern_category",
            )
        )
    common.raise_all(violations)
    current.save()
    placement.programme_agreed_on = current.programme_agreed_on
    return current, reagree


@common.atomic_step
def agree_programme(placement, agreed_on, agreed_by, user):
    """The enterprise agreed the individual programme (п. 39): only before the referral order (VR-28)."""
    current = _internship(placement.pk)
    common.require(user, P, "change", current, "programme_agreed_on")
    book = common.rulebook(current.institution)
    common.raise_all(rules.programme_violations(current, agreed_on, agreed_by, book, today(), is_referred(current)))
    current.programme_agreed_on = agreed_on
    current._change_reason = f"agreed: {agreed_by.strip()}"[:500]
    current.save(update_fields=["programme_agreed_on", "updated_at"])
    return current


@common.atomic_step
def record_outcome(placement, outcome, user, on=None):
    """Completed successfully or not (п. 43), from the internship's last day on; changed only while no certificate is live."""
    current = _internship(placement.pk)
    common.require(user, P, "change", current, "outcome")
    certificate = in_force(current)
    common.raise_all(rules.outcome_violations(current, outcome, on or today(), certificate))
    current.outcome = outcome
    current.save(update_fields=["outcome", "updated_at"])
    return current


def site_context(placement):
    """The internship's sites with their enterprises (one query)."""
    return list(InternshipSite.objects.filter(placement_id=placement.pk).select_related("employer").order_by("starts_on", "pk"))


def site_warnings_for(placement, sites, book=None):
    """VR-31 warnings for the host enterprise and each site's enterprise: {employer id: [RuleViolation]}."""
    book = book if book is not None else common.rulebook(placement.institution)
    if rules.SITE_PROFILE not in book:
        return {}
    employers = {placement.employer_id: placement.employer}
    for s in sites:
        employers.setdefault(s.employer_id, s.employer)
    profiled = rules.profiled_employer_ids(placement.institution_id, list(employers))
    return rules.site_warnings(placement, employers.values(), book, profiled)


@common.atomic_step
def save_site(site, user):
    """Add or change a site of the internship; returns the VR-31 warnings for its enterprise (never blocking)."""
    placement = _internship(site.placement_id)
    common.require(user, P, "change", placement, "employer")
    if placement.status not in SITE_EDITABLE:
        raise RuleViolation(
            "wbl.internship.site",
            _("The internship is “%(status)s”: its sites are no longer changed.") % {"status": placement.get_status_display()},
            "",
            "employer",
        )
    if site.pk:
        stored = InternshipSite.objects.select_for_update().get(pk=site.pk)
        if stored.placement_id != placement.pk:
            raise RuleViolation("wbl.internship.site", _("The site belongs to another internship."), "", "employer")
    site.placement, site.institution_id = placement, placement.institution_id
    others = site_context(placement)
    common.raise_all(rules.site_violations(site, placement, others))
    site.save()
    book = common.rulebook(placement.institution)
    return site, site_warnings_for(placement, [site], book).get(site.employer_id, [])


@common.atomic_step
def delete_site(site, user):
    placement = _internship(site.placement_id)
    common.require(user, P, "change", placement, "employer")
    if placement.status not in SITE_EDITABLE:
        raise RuleViolation(
            "wbl.internship.site",
            _("The internship is “%(status)s”: its sites are no longer changed.") % {"status": placement.get_status_display()},
            "",
            "employer",
        )
    InternshipSite.objects.filter(pk=site.pk, placement_id=placement.pk).delete()


# --- The certificate ---------------------------------------------------------------------------------


def public_base_url():
    """The site's address for a QR link made without a request (the demo): KESIP_PUBLIC_URL or the local server."""
    return getattr(settings, "KESIP_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


def verify_url(token, base_url=None):
    return f"{(base_url or public_base_url()).rstrip('/')}{reverse('wbl:certificate_verify', args=[token])}"


def original_path(certificate, language):
    return f"wbl/certificates/{certificate.issued_on:%Y}/{certificate.token}.{language}.pdf"


def stored_original(certificate):
    """(language, bytes) of the PDF printed at issue, or None when it is not stored."""
    for language in DOCUMENT_LANGUAGES:
        path = original_path(certificate, language)
        if default_storage.exists(path):
            with default_storage.open(path, "rb") as fh:
                return language, fh.read()
    return None


def _people(names):
    return ", ".join(n for n in names if n)


def _head_of(employer):
    from kesip.wbl.models import EmployerPerson

    head = EmployerPerson.objects.filter(employer_id=employer.pk, is_head=True, is_active=True).first()
    if head:
        return head.position or _("Head of the enterprise"), head.short_name
    return employer.contact_position or _("Head of the enterprise"), employer.contact_person


def _short(person):
    """Last name and initials: “Асанов Б. Т.”."""
    initials = " ".join(f"{p[0]}." for p in (person.first_name, person.patronymic) if p)
    return f"{person.last_name} {initials}".strip()


def certificate_official(certificate, language, qr_url, sites=None, copy_note=""):
    """The certificate as an official document: letterhead, number and date, the intern, the internship, the signature."""
    placement = certificate.placement
    intern = placement.learner
    institution = certificate.institution
    sites = site_context(placement) if sites is None else sites
    employer = placement.employer
    logo = b""
    if certificate.letterhead == Certificate.Letterhead.EMPLOYER:
        letterhead, logo = letterheads.letterhead_of(employer)  # F2: the enterprise's letterhead, with its logo
        signatures = [_head_of(employer)]
    else:
        letterhead = None
        signatures = [(_("Head of the institution"), institution.head)]
    if intern == placement.intern_staff:
        who = f"{intern} ({intern.position})" if intern.position else str(intern)
    else:
        group = placement.group or getattr(placement.student, "group", None)
        who = f"{intern} ({_('group %(group)s') % {'group': group}})" if group else str(intern)
    period = f"{documents.day(placement.starts_on)} — {documents.day(placement.ends_on)}"
    site_rows = [[i, s.employer.name, f"{s.starts_on:%d.%m.%Y} — {s.ends_on:%d.%m.%Y}", s.tasks] for i, s in enumerate(sites, 1)]
    blocks = [
        documents.paragraph(
            _(
                "This is to certify that %(intern)s completed the internship at %(employer)s "
                "from %(start)s to %(end)s successfully."
            )
            % {
                "intern": who,
                "employer": employer.name,
                "start": documents.day(placement.starts_on),
                "end": documents.day(placement.ends_on),
            },
            bold=True,
        ),
        documents.fields(
            [
                (_("Intern"), str(intern)),
                (_("Intern category"), placement.get_intern_category_display()),
                (_("Type of internship"), placement.get_internship_type_display()),
                (_("Organised as"), placement.get_internship_mode_display()),
                (_("Host enterprise"), _people([employer.name, employer.address])),
                (_("Period"), period),
                (_("Hours"), placement.hours or ""),
                (_("Programme agreed with the enterprise on"), documents.day(placement.programme_agreed_on)),
            ]
        ),
    ]
    if site_rows:
        blocks += [
            documents.heading(_("Internship sites")),
            documents.table(["№", _("Enterprise"), _("Period"), _("Tasks")], site_rows, widths=[6, 34, 24, 36]),
        ]
    if placement.individual_programme:
        blocks += [documents.heading(_("Individual internship programme")), documents.paragraph(placement.individual_programme)]
    blocks.append(
        documents.paragraph(
            _("The internship programme has been completed in full. Issued under п. 43 of the Regulation on work-based learning.")
        )
    )
    if copy_note:
        blocks.append(documents.paragraph(copy_note))
    return documents.Official(
        institution=institution,
        title=_("Certificate of completion of internship"),
        number=certificate.number,
        dated=certificate.issued_on,
        letterhead=letterhead,
        logo=logo,
        blocks=blocks,
        signatures=signatures,
        qr_url=qr_url,
        qr_caption=_("Check that this certificate is genuine:"),
        footer=_("Verification code: %(token)s") % {"token": certificate.token},
        language=language,
    )


def _print_original(certificate, language, base_url):
    with translation.override(language):
        official = certificate_official(certificate, language, verify_url(certificate.token, base_url))
    return documents.as_bytes(official, "pdf")


def in_force(placement):
    """The placement's certificate in force (not revoked), or None: one query."""
    return Certificate.objects.filter(placement_id=placement.pk, revoked_on__isnull=True).first()


def issue_certificate(placement, letterhead, issued_on, user, *, language=None, base_url=None):
    """Issue the certificate of a successfully completed internship (п. 43, VR-32; VR-37 refuses an apprenticeship).

    After a revocation a new certificate is issued the same way: a new number from the register, a new
    verification code and SHA-256; the revoked one stays, saying so on its verification page. While one
    is in force a second is refused here and, for two requests at once, by the database constraint.

    The number comes from the register (series СЕР of the year, with the year: “3-СЕР/2025”); the
    PDF is printed once in `language`, stored, and its SHA-256 kept for the public check. A completed
    or assessed internship is closed on the day of issue; an active one stays open for its review.
    """
    from kesip.wbl import numbering

    language = language if language in DOCUMENT_LANGUAGES else (translation.get_language() or "ru").split("-")[0]
    if language not in DOCUMENT_LANGUAGES:
        language = "ru"
    stored = []
    try:
        with transaction.atomic():
            current = common.locked(P, placement.pk, "employer", "institution")
            _institution_only(user, Certificate, current, "letterhead")
            book = common.rulebook(current.institution)
            existing = in_force(current)
            common.raise_all(rules.certificate_violations(current, letterhead, issued_on, book, today(), existing))
            number = numbering.next_number(current.institution, issued_on.year, CERTIFICATE_SERIES)
            certificate = Certificate(
                institution_id=current.institution_id,
                placement=current,
                number=f"{number}/{issued_on.year}",
                issued_on=issued_on,
                letterhead=letterhead,
            )
            certificate.placement = current
            certificate.institution = current.institution
            data = _print_original(certificate, language, base_url)
            certificate.sha256 = documents.sha256(data)
            certificate.save()
            path = default_storage.save(original_path(certificate, language), ContentFile(data))
            stored.append(path)
            if current.status in (P.Status.COMPLETED, P.Status.ASSESSED):
                current.status, current.closed_on = P.Status.CLOSED, issued_on
                current.save(update_fields=["status", "closed_on", "updated_at"])
    except IntegrityError:
        for path in stored:
            default_storage.delete(path)
        raise common.WblInvalid(
            [
                RuleViolation(
                    "wbl.certificate.duplicate",
                    _("A certificate in force was issued at the same moment by someone else."),
                    "",
                    "letterhead",
                )
            ]
        ) from None
    except Exception:
        for path in stored:
            default_storage.delete(path)
        raise
    return certificate


@common.atomic_step
def revoke_certificate(certificate, on, reason, user):
    """Revoke an issued certificate: its verification page says so from now on; the reason stays in its history."""
    current = common.locked(Certificate, certificate.pk)
    _institution_only(user, Certificate, current, "revoked_on")
    violations = []
    if current.revoked_on:
        violations.append(
            RuleViolation(
                "wbl.certificate.revoked",
                _("The certificate was revoked on %(date)s.") % {"date": rules.day(current.revoked_on)},
                "",
                "revoked_on",
            )
        )
    if on is None or on < current.issued_on or on > today():
        violations.append(
            RuleViolation(
                "wbl.certificate.revoked",
                _("A certificate is revoked on a day from its issue (%(date)s) to today.")
                % {"date": rules.day(current.issued_on)},
                "",
                "revoked_on",
            )
        )
    if not (reason or "").strip():
        violations.append(RuleViolation("wbl.certificate.reason", _("Say why the certificate is revoked."), "", "reason"))
    common.raise_all(violations)
    current.revoked_on = on
    current._change_reason = f"revoked: {reason.strip()}"
    current.save(update_fields=["revoked_on", "updated_at"])
    return current


def revocation_reason(certificate):
    if not certificate.revoked_on:
        return ""
    record = (
        certificate.history.filter(history_change_reason__startswith="revoked:")
        .order_by("-history_date", "-history_id")
        .values_list("history_change_reason", flat=True)
        .first()
    )
    return record[len("revoked:") :].strip() if record else ""


def public_name(person):
    """The intern's name as the public page shows it: last and first name, the patronymic's initial only."""
    parts = [person.last_name, person.first_name]
    if person.patronymic:
        parts.append(f"{person.patronymic[0]}.")
    return " ".join(p for p in parts if p)


# --- Apprenticeship outside a WBL programme (п. 47, VR-37) ------------------------------------------


def needs_notice(placement):
    return placement.form == WblForm.APPRENTICESHIP and placement.outside_wbl_programme


def notice_official(placement, language, on=None):
    """The notice to an apprentice trained by the employer outside a WBL programme: no diploma, apply to the Centre."""
    institution = placement.institution
    apprentice = placement.learner
    blocks = [
        documents.fields(
            [
                (_("Apprentice"), str(apprentice)),
                (_("Group"), str(placement.group) if placement.group_id else ""),
                (_("Employer"), _people([placement.employer.name, placement.employer.address])),
                (_("Form of apprenticeship"), placement.get_apprenticeship_form_display()),
                (_("Period"), f"{documents.day(placement.starts_on)} — {documents.day(placement.ends_on)}"),
                (_("Mentor"), str(placement.mentor) if placement.mentor_id else ""),
                (_("Training agreement"), str(placement.agreement) if placement.agreement_id else ""),
            ]
        ),
        documents.paragraph(
            _(
                "The apprenticeship was conducted by the employer independently, outside a work-based learning programme, "
                "in accordance with the Labour Code of the Kyrgyz Republic."
            )
        ),
        documents.paragraph(
            _("No document on education (diploma, certificate) is issued for this apprenticeship (п. 47)."), bold=True
        ),
        documents.paragraph(
            _(
                "To obtain a document on education with a qualification, the apprentice applies to the Independent "
                "Certification and Validation Centre under the Ministry of Education and Science of the Kyrgyz Republic."
            )
        ),
    ]
    return documents.Official(
        institution=institution,
        title=_("Notice on an apprenticeship outside a WBL programme"),
        dated=on or today(),
        blocks=blocks,
        signatures=[(_("Head of the institution"), institution.head)],
        language=language,
    )


# --- Volunteer practice (п. 31, VR-22) ---------------------------------------------------------------


def student_of(user, institution_id=None):
    """The learner record of a signed-in student (the first, or the one in `institution_id`)."""
    from kesip.core.models import Student
    from kesip.core.roles import Role

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    from kesip.core import access

    if not any(m.role == Role.STUDENT for m in access.memberships(user)):
        return None
    qs = Student.objects.filter(user=user)
    if institution_id:
        qs = qs.filter(institution_id=institution_id)
    return qs.select_related("group", "institution").first()


def volunteer_contact_of(user):
    """The volunteer organisations (employers) whose contact in Kesip the user is."""
    from kesip.core.roles import Role

    return {m.employer_id for m in common.access.memberships(user) if m.role == Role.VOLUNTEER_CONTACT and m.employer_id}


def may_submit(user, recognition):
    """Staff who change WBL records, the volunteer organisation's representative, or the learner themself."""
    if user is None:
        return True
    if recognition.pk and V.objects.for_user(user, "change").filter(pk=recognition.pk).exists():
        return True
    if common.may(user, V, "change", recognition.institution_id):
        return True
    if recognition.organisation_id and not recognition.pk:
        scope = common.access.scope_for(user, V, "change")
        if recognition.organisation_id in scope.employer_ids:
            return True
    if recognition.pk and recognition.organisation_id in volunteer_contact_of(user):
        return True  # the organisation's contact uploads the evidence of a submitted record (F36)
    own = student_of(user, recognition.institution_id)
    return own is not None and own.pk == recognition.student_id


def may_decide(user, institution_id):
    return _may_institution(user, V, institution_id)


def volunteer_steps(recognition, user):
    """submitted: edit, delete (who submits), verify the evidence, recognise, reject (the institution); verified: decide."""
    steps = set()
    if recognition.status == V.Status.SUBMITTED:
        if may_submit(user, recognition):
            steps |= {"edit", "delete"}
        if may_decide(user, recognition.institution_id):
            steps |= {"verify", "recognise", "reject"}
    elif recognition.status == V.Status.VERIFIED and may_decide(user, recognition.institution_id):
        steps |= {"recognise", "reject"}
    return steps


@common.atomic_step
def verify(recognition, user, on=None):
    """submitted → evidence verified (§9.4): the hours, the memorandum, the personal book and the agreement hold (VR-22).

    The evidence is then frozen; the decision (recognise as a type of practice, or reject) comes next.
    """
    current = common.locked(V, recognition.pk, "student__group", "organisation", "memorandum")
    if not may_decide(user, current.institution_id):
        raise RuleViolation("wbl.permission", _("Only the institution verifies the evidence."), "", "status")
    common.expect_status(current, [V.Status.SUBMITTED], _("The evidence of this record is already verified or decided."))
    _auto_memorandum(current)
    common.raise_all(rules.evidence_violations(current, common.rulebook(current.institution, current.ends_on)))
    current.status = V.Status.VERIFIED
    current.verified_on, current.verified_by = on or today(), user
    current.save()
    return current


def _auto_memorandum(recognition):
    """Link the memorandum in force on the volunteering dates when none is chosen."""
    if recognition.memorandum_id or not recognition.organisation_id or not recognition.starts_on or not recognition.ends_on:
        return
    for memo in rules.memoranda_for(recognition):
        if rules.memorandum_covers(memo, recognition.starts_on, recognition.ends_on):
            recognition.memorandum = memo
            return


@common.atomic_step
def save_volunteer(recognition, user):
    """Submit volunteering for recognition, or change a submitted record (the learner, the staff, the organisation)."""
    if recognition.pk:
        stored = common.locked(V, recognition.pk)
        if stored.status != V.Status.SUBMITTED:
            raise RuleViolation(
                "wbl.volunteerrecognition.status",
                _("The decision is taken: the record is no longer changed."),
                "",
                "status",
            )
        if stored.institution_id != recognition.institution_id or not may_submit(user, stored):
            raise RuleViolation("wbl.permission", _("You may not take this step."), "", "student")
    if not may_submit(user, recognition):
        raise RuleViolation("wbl.permission", _("You may not take this step."), "", "student")
    recognition.status = V.Status.SUBMITTED
    _auto_memorandum(recognition)
    common.raise_all(rules.volunteer_record_violations(recognition))
    recognition.save()
    return recognition


@common.atomic_step
def delete_volunteer(recognition, user):
    current = common.locked(V, recognition.pk)
    if current.status != V.Status.SUBMITTED or not may_submit(user, current):
        raise RuleViolation("wbl.volunteerrecognition.status", _("Only a submitted record is deleted."), "", "status")
    current.delete()


@common.atomic_step
def recognise(recognition, user, on=None, grade=None):
    """Recognise the volunteering as practice (VR-22, Hard): hours, memorandum, book, agreement, creditable type.

    A verified record is decided; a submitted one is verified and decided in the same step (the same checks,
    the verification recorded with the decision). With a practice component and a mark (`grade`, on the
    country's scale), the practice is credited in the journal and transcript as that component's grade;
    without a mark nothing is written there.
    """
    current = common.locked(V, recognition.pk, "student__group", "organisation", "memorandum", "component__module")
    if not may_decide(user, current.institution_id):
        raise RuleViolation("wbl.permission", _("Only the institution recognises volunteering as practice."), "", "status")
    common.expect_status(current, [V.Status.SUBMITTED, V.Status.VERIFIED], _("The decision on this record is already taken."))
    _auto_memorandum(current)
    book = common.rulebook(current.institution, current.ends_on)
    violations = rules.recognition_violations(current, book)
    if grade is not None and not current.component_id:
        violations.append(
            RuleViolation("wbl.volunteer.grade", _("Choose the practice component the mark is for."), "", "component")
        )
    common.raise_all(violations)
    current.status = V.Status.RECOGNISED
    if not current.verified_on:
        current.verified_on, current.verified_by = on or today(), user
    current.decided_on = on or today()
    current.decided_by = user
    current.save()
    if grade is not None:
        from django.core.exceptions import ValidationError

        from kesip.curriculum import journal

        try:
            journal.record_grade(
                current.student,
                current.component,
                grade,
                user,
                source="placement",
                graded_on=current.decided_on,
                place=current.organisation.name,
            )
        except ValidationError as exc:
            raise common.WblInvalid([RuleViolation("wbl.volunteer.grade", " ".join(exc.messages), "", "grade")]) from None
    return current


@common.atomic_step
def reject(recognition, note, user, on=None):
    """Refuse to recognise the volunteering; the reason is kept as the decision."""
    current = common.locked(V, recognition.pk)
    if not may_decide(user, current.institution_id):
        raise RuleViolation("wbl.permission", _("Only the institution decides on volunteer practice."), "", "status")
    common.expect_status(current, [V.Status.SUBMITTED, V.Status.VERIFIED], _("The decision on this record is already taken."))
    if not (note or "").strip():
        raise common.WblInvalid(
            [RuleViolation("wbl.volunteer.note", _("Say why the volunteering is not recognised."), "", "decision_note")]
        )
    current.status = V.Status.REJECTED
    current.decision_note = note.strip()
    current.decided_on = on or today()
    current.decided_by = user
    current.save()
    return current
