"""The institution's answers to the questions the KG WBL regulation leaves open (extract §9.5), and who gives them.

Each setting of `WblSettings` answers one question, with the clause it concerns and a default; the
settings page edits them, the rulebook page lists them beside the rules. The regulatory numbers
(2–3 parties of an agreement, п. 12) stay in the rulebook, and the party counts are checked against it.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesip.core import access
from kesip.core.models import Institution
from kesip.core.models.rulebook import localize_clause
from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.wbl.common import raise_all, rulebook
from kesip.wbl.models import WblSettings


@dataclass(frozen=True)
class Question:
    field: str
    question: str
    clause: str


QUESTIONS = [
    Question(
        "wbl_percent_denominator", gettext_lazy("Of which hours is the WBL share counted? (§9.5, question 3)"), "п. 53, section 5"
    ),
    Question("parties_dual", gettext_lazy("Bilateral or trilateral agreement for each form? (§9.5, question 2)"), "п. 12"),
    Question("parties_practice", gettext_lazy("Bilateral or trilateral agreement for each form? (§9.5, question 2)"), "п. 12"),
    Question("parties_internship", gettext_lazy("Bilateral or trilateral agreement for each form? (§9.5, question 2)"), "п. 12"),
    Question(
        "parties_apprenticeship", gettext_lazy("Bilateral or trilateral agreement for each form? (§9.5, question 2)"), "п. 12"
    ),
    Question(
        "diary_grading_days", gettext_lazy("What is “timely” for the mentor's diary grades? (§9.5, question 7)"), "п. 58, item 6"
    ),
    Question(
        "review_days", gettext_lazy("By when are the mentor's review and characterisation due? (§9.5, question 7)"), "п. 14"
    ),
    Question("agreement_warning_days", gettext_lazy("How early is an agreement's expiry flagged? (VR-2)"), "п. 2; п. 57, item 1"),
    Question(
        "briefing_before_start",
        gettext_lazy("Must every briefing come before the start? (VR-44)"),
        "п. 56, item 4; п. 57, items 6 and 11",
    ),
    Question(
        "report_due_days",
        gettext_lazy("By when is the annual WBL report due? (K26)"),
        "п. 56, item 12; п. 57, item 16",
    ),
    Question("dual_min_practice_percent", gettext_lazy("Which practice share makes practical forms primary? (VR-24)"), "п. 18"),
    Question(
        "employer_order_signer",
        gettext_lazy("Who signs an employer's order in Kesip: the head's own login, or the representative for the head? (VR-38)"),
        "п. 2; п. 10; п. 48",
    ),
]
SETTINGS_FIELDS = [q.field for q in QUESTIONS]


@dataclass(frozen=True)
class RuleQuestion:
    """An open question the rulebook answers with an inferred number (the same in the whole country, not a setting)."""

    code: str
    question: str


# Numbers the source leaves to “the labour legislation” without giving them: the rulebook holds Kesip's inference.
INFERRED_RULES = [
    RuleQuestion(
        "wbl.parttime.max_hours_per_week",
        gettext_lazy("How many hours a week is a learner's “part-time” work? The source gives no number (п. 13)."),
    ),
    RuleQuestion(
        "wbl.parttime.minor_max_hours_per_week",
        gettext_lazy("And for a learner under the age of majority? The labour law's number is not in the source (п. 11)."),
    ),
]

# Numbers the source asks for without giving them (not from the labour law): also the rulebook's inference.
INFERRED_RULES.append(
    RuleQuestion(
        "wbl.gender.stereotype_share",
        gettext_lazy(
            "When is an allocation per profession or employer “stereotyped”? The source asks to eliminate gender "
            "stereotypes about professions but gives no share (п. 57, item 14)."
        ),
    )
)


@dataclass(frozen=True)
class FormQuestion:
    """An open question Kesip answers with a form of its own (no number, no setting)."""

    code: str
    question: str
    clause: str
    answer: str


def form_rows():
    """For the rulebook page: the questions answered by a form of Kesip's design (no query)."""
    from kesip.wbl import partnership

    criteria = "; ".join(str(label) for _code, label in partnership.EVALUATION_CRITERIA)
    return [
        FormQuestion(
            "wbl.evaluation.form",
            str(
                partnership.EVALUATION_QUESTION
                % {"count": len(partnership.EVALUATION_CRITERIA), "low": partnership.SCORE_MIN, "high": partnership.SCORE_MAX}
            ),
            "п. 57, item 8",
            _("Kesip's form: %(criteria)s. Every criterion is required; the mean of the scores is the evaluation's score.")
            % {"criteria": criteria},
        )
    ]


@dataclass(frozen=True)
class DecidedQuestion:
    """An open question of §9.5 that needs no setting: how Kesip answers it, said on the rulebook page."""

    number: int
    question: str
    clause: str
    answer: str


DECIDED = [
    DecidedQuestion(
        1,
        gettext_lazy("Which grading scale and pass threshold apply to diary grades and the assessment?"),
        "п. 14; п. 53, section 9",
        gettext_lazy(
            "The country's grading scale of the journal (KG: 2–5): its bands marked “passed” decide a pass; the system "
            "administrator keeps the scale. A competency is recorded as achieved or not."
        ),
    ),
    DecidedQuestion(
        4,
        gettext_lazy("Eight or nine sections of the WBL programme, and which table section 9 means by “section 5”?"),
        "п. 53",
        gettext_lazy(
            "Kesip follows the template's nine sections; section 9's “section 5” is read as the table of WBL hours by "
            "semester and form (section 5)."
        ),
    ),
    DecidedQuestion(
        5,
        gettext_lazy("What do the missing points 32–33 say?"),
        "п. 31–34",
        gettext_lazy("Nothing is built for them: the numbering of the clauses follows the source as it stands."),
    ),
    DecidedQuestion(
        6,
        gettext_lazy("Who approves that the learner's own workplace conforms to the programme?"),
        "п. 21, 30",
        gettext_lazy(
            "The institution's WBL staff record the approval on the placement: its day and the user who recorded it are kept."
        ),
    ),
    DecidedQuestion(
        8,
        gettext_lazy("Is there a minimum or maximum duration of an internship?"),
        "п. 36, 40",
        gettext_lazy(
            "None is set: each intern's duration is set individually and must be justified in the individual programme (VR-30)."
        ),
    ),
    DecidedQuestion(
        10,
        gettext_lazy("Must the levels of the national qualifications framework be tracked?"),
        "п. 2",
        gettext_lazy(
            "Not as a separate field: the regulation defines the framework but uses no level. Kesip records each "
            "profession's level of education and the qualifications awarded."
        ),
    ),
    DecidedQuestion(
        11,
        gettext_lazy("How long are the records kept?"),
        "—",
        gettext_lazy(
            "Until the business owner states a period, nothing that an issued document names is deleted: every change is "
            "kept in the history and every issued document's first print with its SHA-256."
        ),
    ),
]


def decided_rows():
    """For the rulebook page: the open questions Kesip answers by design, in the reader's language (no query)."""
    return [DecidedQuestion(q.number, str(q.question), localize_clause(q.clause), str(q.answer)) for q in DECIDED]


def inferred_rows(user):
    """For the rulebook page: one row per inferred rule of the user's country (KG when several or none). One query."""
    from kesip.core.rules import in_force

    jurisdictions = {m.institution.jurisdiction for m in access.memberships(user) if m.institution_id}
    jurisdiction = jurisdictions.pop() if len(jurisdictions) == 1 else "KG"
    codes = [q.code for q in INFERRED_RULES]
    found = {c: r for c, r in in_force(jurisdiction, codes).items() if c in codes}
    rows = []
    for q in INFERRED_RULES:
        r = found.get(q.code)
        if r is None:
            continue
        shown_value = f"{r.value.normalize():f} {r.get_unit_display()}"
        rows.append(
            SettingRow(q.code, r.title, r.note, str(q.question), localize_clause(r.clause), shown_value, shown_value, False)
        )
    return rows


PARTY_FIELDS = ("parties_dual", "parties_practice", "parties_internship", "parties_apprenticeship")


def shown(model_field, value):
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


@dataclass
class SettingRow:
    field: str
    label: str
    help_text: str
    question: str
    clause: str
    value: object
    default: object
    changed: bool


def settings_rows(obj):
    """One row per setting: its label, help, the question and clause it answers, the current value and the default."""
    rows = []
    for q in QUESTIONS:
        f = WblSettings._meta.get_field(q.field)
        value, default = getattr(obj, q.field), f.get_default()
        rows.append(
            SettingRow(
                q.field,
                str(f.verbose_name),
                str(f.help_text),
                str(q.question),
                localize_clause(q.clause),
                shown(f, value),
                shown(f, default),
                value != default,
            )
        )
    return rows


def settings_overview(user):
    """For the rulebook page: (institution, rows) — a user of one institution sees its settings; others, the
    defaults with institution None. At most one query (the memberships are cached for the request)."""
    institution_ids = {m.institution_id for m in access.memberships(user) if m.institution_id}
    if len(institution_ids) == 1:
        institution = next(m.institution for m in access.memberships(user) if m.institution_id)
        return institution, settings_rows(WblSettings.of(institution))
    return None, settings_rows(WblSettings())


def may_edit_settings(user, institution_id):
    """The institution's admin (or a system admin) answers the open questions; others read them."""
    if user is None or access.is_system_admin(user):
        return True
    return any(m.role == Role.INSTITUTION_ADMIN and m.institution_id == institution_id for m in access.memberships(user))


def party_violation(field, value, rules):
    """The parties to an agreement for a form stay within the rulebook's 2–3 (п. 12); None when allowed."""
    if value is None:
        return None
    low, high = rules.get("wbl.agreement.min_parties"), rules.get("wbl.agreement.max_parties")
    for r, broken, text in (
        (low, lambda v, r: v < r.value, _("An agreement has at least %(limit)s parties.")),
        (high, lambda v, r: v > r.value, _("An agreement has at most %(limit)s parties.")),
    ):
        if r is not None and broken(value, r):
            return RuleViolation(r.code, text % {"limit": f"{r.value.normalize():f}"}, r.source, field)
    return None


def admin_institution_ids(user):
    """The institutions the user administers (from the memberships cached for the request)."""
    return {m.institution_id for m in access.memberships(user) if m.role == Role.INSTITUTION_ADMIN and m.institution_id}


def settings_institution(user, institution_id=None):
    """The institution whose settings `wbl/settings/` opens: the asked one if the user may edit it, else the only one."""
    if access.is_system_admin(user):
        qs = Institution.objects.all()
    else:
        qs = Institution.objects.filter(pk__in=admin_institution_ids(user))
    if institution_id is not None:
        return qs.filter(pk=institution_id).first()
    found = list(qs.order_by("short_name_ru", "pk")[:2])
    return found[0] if len(found) == 1 else None


def save_settings(obj, user):
    """Save the institution's answers (creating its row the first time). Parties are checked against the rulebook."""
    if not may_edit_settings(user, obj.institution_id):
        raise RuleViolation("wbl.permission", _("Only the institution's administrator changes its WBL settings."), "", None)
    rules = rulebook(obj.institution)
    raise_all([party_violation(f, getattr(obj, f), rules) for f in PARTY_FIELDS])
    with transaction.atomic():
        existing = WblSettings.objects.select_for_update().filter(institution_id=obj.institution_id).first()
        if existing is not None and obj.pk is None:
            obj.pk, obj._state.adding = existing.pk, False
        obj.save()
    return obj
