"""Inviting a learner's legal representative to Kesip (F36): the invitation, its link and the mail.

On accepting, the new account is linked to the representative by e-mail (`wbl.consent`). Refused with a
RuleViolation naming the field: no e-mail, already signed in, not active. One open invitation per e-mail.
"""

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from kesip.core.models import Invitation
from kesip.core.roles import Role
from kesip.core.rules import RuleViolation


def invite_representative(rep, user, absolute):
    """Create (or reuse) the invitation of `rep` and mail its link; `absolute(path)` makes the link. Returns the link."""
    if not rep.email:
        raise RuleViolation(
            "core.invitation.email", _("Give the representative's e-mail first: the invitation is sent there."), "", "email"
        )
    if rep.user_id:
        raise RuleViolation(
            "core.invitation.user", _("%(person)s already signs in to Kesip.") % {"person": rep.full_name}, "", "user"
        )
    if not rep.is_active:
        raise RuleViolation("core.invitation.active", _("Activate the representative first."), "", "is_active")
    student = rep.student
    last, _sep, first = rep.full_name.partition(" ")
    with transaction.atomic():
        invitation = Invitation.objects.filter(
            institution=student.institution, email__iexact=rep.email, role=Role.LEGAL_REPRESENTATIVE, accepted_at__isnull=True
        ).first() or Invitation.objects.create(
            institution=student.institution,
            email=rep.email,
            first_name=first or last,
            last_name=last,
            role=Role.LEGAL_REPRESENTATIVE,
            invited_by=user,
        )
    link = absolute(reverse("core:accept_invitation", args=[invitation.token]))
    send_mail(
        _("Invitation to Kesip"),
        _(
            "%(institution)s invites you to Kesip as the legal representative of %(learner)s: you will see the "
            "learner's work-based learning and answer the consent to it. Open this link to create your login: %(link)s"
        )
        % {"institution": student.institution, "learner": student, "link": link},
        None,
        [rep.email],
        fail_silently=True,
    )
    return link
