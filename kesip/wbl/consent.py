"""Consent to the WBL list asked and answered in Kesip (KG WBL regulation п. 56 items 2, 5; F11).

The coordinator plans a placement with the consent "asked in Kesip": the learner and the learner's
legal representatives are told by e-mail that the learner is on the WBL list and asked to answer on
their consent page. A learner of age answers for themselves; a minor's consent is given by a legal
representative linked to the learner (VR-42). The answer is kept with who gave it and when; a
refusal keeps the placement from going further until the coordinator takes the learner off the list.
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core.models import StudentRepresentative
from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.wbl import placement_rules as rules
from kesip.wbl.common import expect_status, locked, rulebook
from kesip.wbl.models import Placement

P, S = Placement, Placement.Status
GIVE, REFUSE = "give", "refuse"
ANSWERABLE = (P.Consent.REQUESTED, P.Consent.LEARNER, P.Consent.REPRESENTATIVE, P.Consent.REFUSED)


def mark_requested(placement):
    placement.consent_on = None
    placement.consent_user = None
    placement.consent_requested_at = timezone.now()


def is_minor(placement, book=None):
    """Whether the learner is under the rulebook's age of majority on the first day (the representative answers)."""
    born = placement.student.birth_date if placement.student_id else None
    book = book if book is not None else rulebook(placement.institution)
    rule = book.get(rules.MINOR_AGE)
    if not born or not placement.starts_on or rule is None:
        return False
    return rules.age_on(born, placement.starts_on) < int(rule.value)


def _recipients(placements):
    """(placement, e-mail, language) for the learner (of age) and every active representative with an e-mail."""
    students = {p.student_id for p in placements if p.student_id}
    reps = {}
    for r in (
        StudentRepresentative.objects.filter(student_id__in=students, is_active=True).exclude(email="").select_related("user")
    ):
        reps.setdefault(r.student_id, []).append(r)
    found, books = [], {}
    for p in placements:
        if not p.student_id:
            continue
        if p.institution_id not in books:
            books[p.institution_id] = rulebook(p.institution)
        if p.student.email and not is_minor(p, books[p.institution_id]):
            found.append((p, p.student.email, getattr(p.student.user, "language", "") if p.student.user_id else ""))
        for r in reps.get(p.student_id, []):
            found.append((p, r.email, r.user.language if r.user_id else ""))
    return found


def _message(p):
    where = p.employer or _("the institution's own base")
    return _(
        "%(learner)s is on the list of work-based learning of %(institution)s: %(form)s at %(employer)s from %(start)s to "
        "%(end)s. The list is compiled with the consent of the learner or of the legal representative (п. 56, item 5). "
        "Sign in to Kesip and give or refuse the consent on this page: %(link)s"
    ) % {
        "learner": p.student,
        "institution": p.institution,
        "form": p.get_form_display(),
        "employer": where,
        "start": date_format(p.starts_on, "d.m.Y"),
        "end": date_format(p.ends_on, "d.m.Y"),
        "link": getattr(settings, "KESIP_BASE_URL", "").rstrip("/") + reverse("wbl:consent"),
    }


def notify(placements):
    """E-mail the learner and the representatives that the learner is on the WBL list, once the save commits."""
    ids = [p.pk for p in placements if p.student_id]
    if not ids:
        return

    def send():
        # The committed placements with their learners, accounts and institutions, in one query.
        fresh = list(P.objects.filter(pk__in=ids).select_related("student__user", "institution", "employer").order_by("pk"))
        for p, email, language in _recipients(fresh):
            with translation.override(language or settings.LANGUAGE_CODE):
                send_mail(_("Consent to work-based learning"), _message(p), None, [email], fail_silently=True)

    transaction.on_commit(send)


def for_user(user):
    """The placements the user answers the consent of: their own as a learner, or of the learners they represent."""
    q = Q(pk__in=[])
    if access.has_perm(user, "consent_wbl"):
        q = Q(student__user=user)
        ids = access.represented_student_ids(user)
        if ids:
            q |= Q(student_id__in=ids)
    return P.objects.filter(q, consent_by__in=ANSWERABLE).exclude(status=S.CANCELLED)


def may_answer(user, placement, book=None):
    """Whether the user answers this placement's consent: a representative of the learner, or the learner of age."""
    if placement.status != S.PLANNED or not access.has_perm(user, "consent_wbl"):
        return False
    if placement.student_id in access.represented_student_ids(user):
        return True
    return placement.student.user_id == user.pk and not is_minor(placement, book)


def ask(placement, user, now=None):
    """Ask (or ask again) the consent of a planned placement in Kesip: the learner and the representatives are mailed.

    A consent already given is not asked again; a refusal may be asked again (the family may change its mind).
    """
    from kesip.wbl.placements import may_plan

    with transaction.atomic():
        p = locked(P, placement.pk)
        expect_status(
            p,
            [S.PLANNED],
            _("The consent is asked while the placement is planned; this one is “%(status)s”.")
            % {"status": p.get_status_display()},
            "consent_by",
        )
        if not may_plan(user, p.institution_id):
            raise RuleViolation("wbl.permission", _("You may not take this step."), "", "consent_by")
        if not p.student_id:
            raise RuleViolation(
                "wbl.placement.consent", _("A teacher's internship asks no consent to the WBL list."), "", "consent_by"
            )
        if p.consent_by in (P.Consent.LEARNER, P.Consent.REPRESENTATIVE):
            raise RuleViolation(
                "wbl.placement.consent", _("The consent is already given: it is not asked again."), "", "consent_by"
            )
        p.consent_by = P.Consent.REQUESTED
        mark_requested(p)
        if now is not None:
            p.consent_requested_at = now
        p.save(update_fields=["consent_by", "consent_on", "consent_user", "consent_requested_at", "updated_at"])
        notify([p])
    return p


def answer(placement, user, reply, today=None):
    """Give or refuse the consent to the WBL list for a planned placement. Returns the placement."""
    if reply not in (GIVE, REFUSE):
        raise RuleViolation("wbl.placement.consent", _("Answer “give” or “refuse”."), "", "answer")
    today = today or datetime.date.today()
    with transaction.atomic():
        p = locked(P, placement.pk)
        expect_status(
            p,
            [S.PLANNED],
            _("The consent is answered while the placement is planned; this one is “%(status)s”.")
            % {"status": p.get_status_display()},
            "answer",
        )
        if p.consent_by not in ANSWERABLE:
            raise RuleViolation("wbl.placement.consent", _("The consent to this placement is not asked in Kesip."), "", "answer")
        book = rulebook(p.institution)
        representing = p.student_id in access.represented_student_ids(user)
        if not may_answer(user, p, book):
            if p.student_id and p.student.user_id == user.pk:
                raise RuleViolation(
                    rules.MINOR_AGE,
                    _("You are under age on the first day of the placement: your legal representative consents."),
                    book[rules.MINOR_AGE].source if rules.MINOR_AGE in book else "",
                    "answer",
                )
            raise RuleViolation("wbl.permission", _("You may not take this step."), "", "answer")
        if representing:
            rep = StudentRepresentative.objects.filter(student_id=p.student_id, user=user, is_active=True).first()
            p.legal_representative = rep.full_name if rep else user.display_name()
        elif reply == GIVE:
            p.legal_representative = ""
        if reply == GIVE:
            p.consent_by = P.Consent.REPRESENTATIVE if representing else P.Consent.LEARNER
        else:
            p.consent_by = P.Consent.REFUSED
        p.consent_on = today
        p.consent_user = user
        p.save(update_fields=["consent_by", "consent_on", "legal_representative", "consent_user", "updated_at"])
    return p


def link_accepted_representative(sender, instance, **kwargs):
    """When a representative's invitation is accepted, link the new account to the learners with that e-mail.

    A post_save receiver of core's Invitation, connected in `WblConfig.ready()`.
    """
    inv = instance
    if not inv.accepted_user_id or inv.role != Role.LEGAL_REPRESENTATIVE or not inv.institution_id:
        return
    StudentRepresentative.objects.filter(
        institution_id=inv.institution_id, email__iexact=inv.email, user__isnull=True, is_active=True
    ).update(user_id=inv.accepted_user_id)
