"""The agreement as an official document (PDF and DOCX through `kesip.core.documents`).

Letterhead of the institution; the title by kind; number, date and place; the parties with who
represents them; the subject (form, professions, period, workplaces, theory/practice ratio, the
agreed programme, the dual-training clauses); the obligations of the parties as the regulation
lists them (institution п. 56, employer п. 57, learner п. 59; a memorandum п. 31); the term; the
roster; the amendments; the details and signature blocks of every party. Built inside
`translation.override(language)`, so every label is in the language asked for.
"""

import re

from django.utils.translation import gettext as _

from kesip.core import documents as docs
from kesip.wbl import agreement_rules
from kesip.wbl.common import rulebook
from kesip.wbl.models import Agreement, AgreementRosterEntry, AgreementSignature, WblForm

A = Agreement
P = AgreementSignature.Party


def _short(value):
    return value.strftime("%d.%m.%Y") if value else ""


def place_of(institution):
    """The locality of the institution's legal address (“Ош ш.”, “г. Бишкек”, “Алматы қ.”), when it names one."""
    for part in (institution.legal_address or "").split(","):
        part = part.strip()
        if re.search(r"(^|\s)(ш|г|қ|с)\.$", part) or re.match(r"^(г|ш|с)\.\s", part) or part.lower().startswith("city of "):
            return part
    return ""


def head_title(institution):
    return _("Rector") if institution.type == "university" else _("Director")


def _country(institution):
    return _("the Kyrgyz Republic") if institution.jurisdiction == "KG" else _("the Republic of Kazakhstan")


def title_of(agreement):
    if agreement.kind == A.Kind.APPRENTICESHIP:
        return _("Apprenticeship training agreement")
    if agreement.kind == A.Kind.VOLUNTEER:
        return _("Memorandum of cooperation")
    return _("Agreement on work-based learning")


def subtitle_of(agreement):
    if agreement.kind == A.Kind.APPRENTICESHIP:
        line = _("concluded under the Labour Code of %(country)s") % {"country": _country(agreement.institution)}
    elif agreement.kind == A.Kind.VOLUNTEER:
        line = _("between the educational organisation and a volunteer organisation")
    else:
        line = _("form of WBL: %(form)s") % {"form": agreement.get_form_display().lower()}
    if agreement.status in A.EDITABLE:
        line += " · " + _("DRAFT — not signed")
    return line


def institution_obligations():
    """What the institution does (п. 56), as the agreement states it."""
    return [
        _("develops and approves, jointly with the Employer, the WBL programme, the working curriculum and the calendar "
          "schedule of the educational process;"),
        _("informs the learners (their legal representatives) of training under the WBL programme;"),
        _("briefs the learners on undergoing WBL, and the Employer and the mentors on conducting it;"),
        _("compiles the list of learners with the consent of the learners (their legal representatives) and agrees with "
          "the Employer the dates of WBL and the nominal roster of learners sent;"),
        _("issues the orders on organising WBL, on sending the learners to the Employer and on appointing a head of "
          "practical training for each group of learners;"),
        _("bears responsibility for the learners' education under the educational programmes and ensures, through the "
          "head of practical training, that the WBL programme is carried out and the learners' diaries are kept;"),
        _("organises, jointly with the Employer, the assessment of the learners' general and professional competencies;"),
        _("prepares the annual report on WBL for the past academic year, agreed with the Employer, with recommendations "
          "for improving WBL;"),
        _("assists in the employment of graduates who studied under WBL programmes."),
    ]  # fmt: skip


def employer_obligations(agreement):
    """What the employer does (п. 57), as the agreement states it."""
    places = (
        _("provides %(places)s workplaces for WBL and accepts the learners in the number and for the dates agreed with the "
          "Institution;") % {"places": agreement.places}
        if agreement.places
        else _("determines the number of workplaces for WBL and accepts the learners in the number and for the dates agreed "
               "with the Institution;")
    )  # fmt: skip
    items = [
        _("takes part in developing the competency-based educational programme and the WBL programme;"),
        _("agrees with the Institution the dates of WBL and the nominal roster of learners sent to it;"),
        places,
        _("acquaints the learners with its charter, internal rules, sanitary and fire-safety rules and rules of conduct, "
          "and with its local documents;"),
        _("assigns a mentor to each learner (group of learners) by order of its head;"),
        _("creates the conditions for WBL, ensures safe conditions meeting sanitary, labour-protection and fire-safety "
          "norms, and monitors and evaluates the WBL programme at its base;"),
        _("conducts every briefing required by the law on labour protection and technical safety;"),
        _("takes part, jointly with the Institution, in assessing the competencies the learners mastered and in their "
          "intermediate and state final attestation;"),
        _("ensures an equal, gender-sensitive environment for learners of both sexes;"),
        _("agrees the Institution's annual report on WBL."),
    ]  # fmt: skip
    if agreement_rules.is_apprenticeship(agreement):
        rules = rulebook(agreement.institution)
        limit = rules.get("wbl.mentor.max_apprentices")
        if limit is not None:
            items.insert(
                5,
                _("conducts the practical training in production under a mentor appointed by its order; a mentor trains "
                  "no more than %(count)s apprentices at a time;") % {"count": int(limit.value)},
            )  # fmt: skip
    return items


def learner_obligations():
    """What the learner does (п. 59)."""
    return [
        _("gets acquainted with the working conditions and with the safety and labour-protection requirements;"),
        _("observes study and production discipline, the internal labour rules and the labour-protection and technical-"
          "safety requirements, and treats the Employer's property with care;"),
        _("completes the full course of study under the educational programme and the curriculum;"),
        _("carries out the instructions of the head of practical training and of the mentor related to WBL;"),
        _("keeps the diary of WBL as the Institution requires;"),
        _("undergoes the intermediate and state final attestation."),
    ]  # fmt: skip


def memorandum_obligations(agreement):
    """A memorandum with a volunteer organisation (п. 31)."""
    rules = rulebook(agreement.institution)
    hours = rules.get("wbl.volunteer.min_hours")
    items = [
        _("The Parties cooperate in involving learners in volunteer activity that forms their professional skills and "
          "experience."),
        _("The volunteer organisation concludes a volunteer agreement with each learner and records the hours and the "
          "activities in the volunteer's personal book."),
    ]  # fmt: skip
    if hours is not None:
        items.append(
            _("The Institution recognises volunteering of no less than %(hours)s hours, confirmed by the personal book and "
              "the volunteer agreement, as educational or production (pre-diploma) practice.") % {"hours": int(hours.value)}
        )  # fmt: skip
    return items


def _numbered(section, items):
    return [docs.paragraph(f"{section}.{i}. {text}") for i, text in enumerate(items, start=1)]


def _people(agreement):
    head = agreement.employer.people.filter(is_head=True, is_active=True).first()
    return head


def build(agreement, language):
    """The Official document of the agreement in `language` (called inside translation.override)."""
    institution, employer = agreement.institution, agreement.employer
    head = _people(agreement)
    specialties = list(agreement.specialties.order_by("code"))
    roster = list(
        AgreementRosterEntry.objects.filter(agreement=agreement)
        .select_related("student__group__programme__specialty")
        .order_by("student__last_name", "student__first_name", "pk")
    )
    amendments = list(agreement.amendments.order_by("number"))
    signatures = {s.party: s for s in agreement.signatures.all()}
    parties = agreement_rules.required_parties(agreement)
    school = docs.institution_name(institution, language)
    three = P.LEARNER in parties
    if agreement.learner_id and agreement.legal_representative:
        learner = _("%(learner)s, represented by the legal representative %(representative)s") % {
            "learner": agreement.learner,
            "representative": agreement.legal_representative,
        }
    else:
        learner = str(agreement.learner or agreement.legal_representative or "")
    volunteer = agreement.kind == A.Kind.VOLUNTEER
    role = _("Volunteer organisation") if volunteer else _("Employer")
    preamble = _(
        "%(institution)s, hereinafter “the Institution”, represented by its head %(head)s, on the one part, and "
        "%(employer)s, hereinafter “%(employer_role)s”, represented by %(employer_head)s, on the other part"
    ) % {
        "institution": school,
        "head": institution.head or "________________",
        "employer": employer.name,
        "employer_role": role,
        "employer_head": f"{head} ({head.position})" if head else (employer.contact_person or "________________"),
    }
    if three:
        preamble += _(", and %(learner)s, hereinafter “the Learner”") % {"learner": learner}
    preamble += _(", together “the Parties”, have concluded this agreement as follows.")
    blocks = [docs.paragraph(preamble)]

    section = 1
    blocks.append(docs.heading(f"{section}. " + _("Subject of the agreement")))
    if agreement.kind == A.Kind.VOLUNTEER:
        blocks.append(docs.paragraph(_("The Parties cooperate in the volunteer activity of the Institution's learners.")))
    elif agreement.kind == A.Kind.APPRENTICESHIP:
        blocks.append(
            docs.paragraph(
                _(
                    "The Employer trains the apprentice in the profession in production under the guidance of a mentor, "
                    "within primary vocational education."
                )  # fmt: skip
            )
        )
    else:
        blocks.append(
            docs.paragraph(
                _(
                    "The Parties organise work-based learning of the Institution's learners at the Employer's base: the "
                    "conditions and the procedure are set by this agreement."
                )  # fmt: skip
            )
        )
    ratio = (
        _("%(theory)s %% theory at the Institution, %(practice)s %% practice at the Employer")
        % {"theory": agreement.theory_percent, "practice": agreement.practice_percent}
        if agreement.theory_percent is not None
        else ""
    )
    blocks.append(
        docs.fields(
            [
                (_("Form of WBL"), agreement.get_form_display() if agreement.form else ""),
                (_("Professions"), "; ".join(f"{s.code} {s.name}" for s in specialties)),
                (
                    _("Period"),
                    _("from %(start)s to %(end)s") % {"start": docs.day(agreement.starts_on), "end": docs.day(agreement.ends_on)},
                ),  # fmt: skip
                (_("Workplaces"), agreement.places),
                (_("Theory and practice"), ratio),
                (_("Agreed training programme"), agreement.agreed_programme),
                (_("WBL programme"), str(agreement.wbl_programme) if agreement.wbl_programme_id else ""),
                (
                    _("The employer as the customer"),
                    _("The employer is the customer of the training of specialists for its own activity (п. 16).")
                    if agreement.form == WblForm.DUAL and agreement.employer_is_customer
                    else "",
                ),
                (
                    _("Working curriculum and calendar schedule"),
                    _("agreed with the employer on %(day)s (п. 20)") % {"day": docs.day(agreement.curriculum_agreed_on)}
                    if agreement.form == WblForm.DUAL and agreement.curriculum_agreed_on
                    else "",
                ),
                (_("Individual training schedule"), agreement.individual_schedule),
                (_("Employment of the graduate"), agreement.employment_clause),
            ]
        )
    )

    section += 1
    if agreement.kind == A.Kind.VOLUNTEER:
        blocks.append(docs.heading(f"{section}. " + _("Obligations of the Parties")))
        blocks += _numbered(section, memorandum_obligations(agreement))
    else:
        blocks.append(docs.heading(f"{section}. " + _("Obligations of the Institution")))
        blocks.append(docs.paragraph(_("The Institution:")))
        blocks += _numbered(section, institution_obligations())
        section += 1
        blocks.append(docs.heading(f"{section}. " + _("Obligations of the Employer")))
        blocks.append(docs.paragraph(_("The Employer:")))
        blocks += _numbered(section, employer_obligations(agreement))
        if three:
            section += 1
            blocks.append(docs.heading(f"{section}. " + _("Obligations of the Learner")))
            blocks.append(docs.paragraph(_("The Learner:")))
            blocks += _numbered(section, learner_obligations())
    if agreement.obligations.strip():
        section += 1
        blocks.append(docs.heading(f"{section}. " + _("Further obligations agreed by the Parties")))
        blocks.append(docs.paragraph(agreement.obligations.strip()))

    section += 1
    blocks.append(docs.heading(f"{section}. " + _("Term, amendments and disputes")))
    blocks += _numbered(
        section,
        [
            _("The agreement takes effect when signed by every Party and is valid from %(start)s to %(end)s.")
            % {"start": docs.day(agreement.starts_on), "end": docs.day(agreement.ends_on)},
            _("It is changed by numbered amendments signed by the Parties, which are an integral part of it."),
            _("Disputes are settled by negotiation, or under the legislation of %(country)s.")
            % {"country": _country(institution)},
            _("The agreement is made in %(count)s copies of equal force, one for each Party.") % {"count": len(parties)},
        ],
    )
    if agreement.status == A.Status.TERMINATED:
        blocks.append(
            docs.paragraph(
                _("The agreement was terminated on %(date)s. Reason: %(reason)s")
                % {"date": docs.day(agreement.terminated_on), "reason": agreement.termination_reason},
                bold=True,
            )
        )

    if roster:
        blocks.append(docs.heading(_("Annex 1. Nominal roster of learners")))
        blocks.append(
            docs.table(
                ["№", _("Learner"), _("Group"), _("Profession")],
                [
                    [
                        i,
                        e.student,
                        e.student.group or "",
                        e.student.group.programme.specialty if e.student.group_id else "",
                    ]
                    for i, e in enumerate(roster, start=1)
                ],
                widths=[6, 38, 16, 40],
            )
        )
    if amendments:
        blocks.append(docs.heading(_("Amendments")))
        blocks.append(
            docs.table(
                ["№", _("Signed on"), _("Effective from"), _("What changes")],
                [[a.number, _short(a.signed_on), _short(a.effective_from), a.text] for a in amendments],
                widths=[6, 16, 16, 62],
            )
        )

    blocks.append(docs.heading(_("Details of the Parties")))
    header, name_row, address_row, tax_row, contact_row = (
        [""],
        [_("Name")],
        [_("Address")],
        [_("Identification number")],
        [_("Contacts")],
    )
    for party in parties:
        if party == P.INSTITUTION:
            header.append(_("The Institution"))
            name_row.append(school)
            address_row.append(institution.legal_address)
            tax_row.append(institution.inn or institution.bin)
            contact_row.append(", ".join(x for x in (institution.phone, institution.email) if x))
        elif party == P.EMPLOYER:
            header.append(_("The volunteer organisation") if volunteer else _("The Employer"))
            name_row.append(employer.name)
            address_row.append(employer.address)
            tax_row.append(employer.tax_id)
            contact_row.append(", ".join(x for x in (employer.phone, employer.email) if x))
        else:
            header.append(_("The Learner"))
            name_row.append(learner)
            address_row.append("")
            tax_row.append(agreement.learner.national_id if agreement.learner_id else "")
            contact_row.append(", ".join(x for x in (getattr(agreement.learner, "phone", ""),) if x))
    blocks.append(docs.table(header, [name_row, address_row, tax_row, contact_row]))

    def who(party):
        signature = signatures.get(party)
        if signature is not None:
            return f"{signature.signatory} · {_short(signature.signed_on)}"
        if party == P.INSTITUTION:
            return institution.head
        if party == P.EMPLOYER:
            return str(head) if head else ""
        return agreement.legal_representative or str(agreement.learner or "")

    labels = {
        P.INSTITUTION: _("For the Institution: %(position)s") % {"position": head_title(institution)},
        P.EMPLOYER: (
            (_("For the volunteer organisation: %(position)s") if volunteer else _("For the Employer: %(position)s"))
            % {"position": head.position if head else _("head")}
        ),
        P.LEARNER: _("The legal representative") if agreement.legal_representative else _("The Learner"),
    }
    if agreement.status in A.EDITABLE:
        footer = _("Draft for negotiation: not signed.")
    elif agreement.signed_outside and not agreement.signed_scan:
        footer = _("Signed by every Party on paper on %(date)s.") % {"date": _short(agreement.signed_on)}
    else:
        footer = _("Signed by every Party on %(date)s; the signed copy is kept by the Institution.") % {
            "date": _short(agreement.signed_on)
        }
    return docs.Official(
        institution=institution,
        title=title_of(agreement),
        subtitle=subtitle_of(agreement),
        number=agreement.number,
        dated=agreement.concluded_on or agreement.signed_on,
        place=place_of(institution),
        blocks=blocks,
        signatures=[(labels[p], who(p)) for p in parties],
        footer=footer,
        language=language,
    )
