"""The employer's letterhead (F2): what the documents an employer issues print at their top.

* `letterhead_of(employer) -> (lines, logo)` — the name, the address, the INN / BIN (unless switched off)
  and the lines the employer set, with the logo's bytes (`b""` without one). One query. Every document on
  the employer's letterhead reads it: the internship certificate (п. 43), the mentor's review and
  characterisation, the employer's orders.
* `save_letterhead(letterhead, user)` — create or change it, one transaction; refused with `RuleViolation`
  for a user who may not change the employer's records and for the host of the institution's own base,
  whose documents carry the institution's letterhead (п. 10). A replaced logo stays in the storage: the
  letterhead's history and the documents already issued name it.
* `sample_official(employer, language)` — a page on the letterhead, to see it before a document is issued.
"""

import logging

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kesip.core import documents
from kesip.core.rules import RuleViolation
from kesip.wbl.models import EmployerLetterhead

log = logging.getLogger(__name__)


def _logo_bytes(letterhead):
    if not letterhead.logo:
        return b""
    try:
        with letterhead.logo.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError):
        log.warning("The logo of letterhead %s is missing from the storage.", letterhead.pk)
        return b""


def lines_of(employer, letterhead):
    """The lines of the letterhead, from the top: the name, the address, the INN / BIN, the employer's lines."""
    lines = [employer.name, employer.address]
    if (letterhead is None or letterhead.show_tax_id) and employer.tax_id:
        lines.append(f"{_('INN / BIN')}: {employer.tax_id}")
    if letterhead is not None:
        lines += letterhead.detail_lines
    return tuple(line for line in lines if line)


def letterhead_of(employer, letterhead=None):
    """(lines, logo): the employer's letterhead as a document prints it; `letterhead` when already read."""
    if letterhead is None:
        letterhead = EmployerLetterhead.objects.filter(employer_id=employer.pk).first()
    return lines_of(employer, letterhead), _logo_bytes(letterhead) if letterhead else b""


def logo_response(letterhead):
    """The stored logo as a picture (its type read from its first bytes); 404 without one or when it is missing."""
    from django.http import FileResponse, Http404

    if not letterhead.logo:
        raise Http404
    try:
        handle = letterhead.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    png = handle.read(4) == b"\x89PNG"
    handle.seek(0)
    return FileResponse(handle, content_type="image/png" if png else "image/jpeg")


def save_letterhead(letterhead, user):
    from kesip.wbl import employers as svc

    with transaction.atomic():
        employer = svc._locked_employer(letterhead.employer)
        svc._require(user, employer)
        if employer.is_own_base:
            raise RuleViolation(
                "wbl.letterhead.own_base",
                _("The documents of the institution's own base carry the institution's letterhead."),
                "п. 10",
                None,
            )
        if letterhead.pk:
            current = EmployerLetterhead.objects.select_for_update().get(pk=letterhead.pk)
            if current.employer_id != employer.pk:
                raise RuleViolation("wbl.letterhead.employer", _("A letterhead does not move to another employer."), "", None)
        letterhead.employer, letterhead.institution_id = employer, employer.institution_id
        letterhead.details = "\n".join(letterhead.detail_lines)
        letterhead.save()
    return letterhead


def sample_response(request, employer, letterhead):
    """The sample page as the request asks for it (`?format=pdf|docx&lang=…`), for the page and the API alike."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects([employer], "people")
    return documents.render(
        lambda language: sample_official(employer, language, letterhead), request, f"letterhead-{employer.pk}"
    )


def sample_official(employer, language, letterhead=None):
    """A page on the employer's letterhead with the blocks every document of the employer's has: the head signs."""
    with translation.override(language):
        lines, logo = letterhead_of(employer, letterhead)
        head = next((p for p in employer.people.all() if p.is_head and p.is_active), None)
        return documents.Official(
            institution=employer.institution,
            title=_("Letterhead sample"),
            letterhead=lines,
            logo=logo,
            blocks=[
                documents.paragraph(
                    _(
                        "This is how the documents %(employer)s issues in Kesip begin: the internship certificate on "
                        "the enterprise's letterhead, the mentor's review and characterisation, the employer's orders."
                    )
                    % {"employer": employer.name}
                )
            ],
            signatures=[
                (head.position or _("Head of the employer"), head.short_name) if head else (_("Head of the employer"), "")
            ],
            language=language,
        )


def delete_letterhead(letterhead, user):
    """Back to the plain letterhead (the name, the address, the INN / BIN); the logo stays for the history."""
    from kesip.wbl import employers as svc

    with transaction.atomic():
        current = EmployerLetterhead.objects.select_for_update().select_related("employer").get(pk=letterhead.pk)
        svc._require(user, current.employer)
        current.delete()
