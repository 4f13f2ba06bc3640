"""The glossary of work-based learning (F38): each term in Kyrgyz, Russian, Kazakh and English, with its clause.

The terms are the interface's own words (the same translations as the pages); each definition follows
the KG WBL regulation. In Kyrgyz the regulation abbreviates work-based learning as “ЖОО”, which everyday
Kyrgyz reads as “university” (жогорку окуу жайы): Kesip writes the term out and says so here.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kesip.core.documents import DOCUMENT_LANGUAGES
from kesip.core.roles import Role
from kesip.wbl.models import WblForm


@dataclass(frozen=True)
class Term:
    code: str
    term: object
    clause: str
    definition: object


TERMS = [
    Term("wbl", _("Work-based learning"), "п. 3", _(
        "Training in which learners gain general and professional knowledge and skills at the institution, with mandatory "
        "practical training at the workplace. The regulation's Kyrgyz text abbreviates it “ЖОО”, which also means "
        "“university” (жогорку окуу жайы): Kesip writes the term out."
    )),
    Term("agreement", _("agreement"), "п. 2, 12", _(
        "The written agreement of the institution and the employer (with the learner or the legal representative in a "
        "three-party one) on the conditions and procedure of work-based learning."
    )),
    Term("programme", _("WBL programme"), "п. 2, 53", _(
        "The part of the educational programme, built on competencies, for consolidating theory at the workplace; its "
        "template has nine sections."
    )),
    Term("mentor", Role.MENTOR.label, "п. 2, 10", _(
        "A qualified employee of the employer (at the institution's own base: one of its staff), appointed by order for "
        "the whole term of a learner's work-based learning."
    )),
    Term("supervisor", Role.HEAD_OF_PRACTICE.label, "п. 2", _(
        "The institution's employee who gives the learner methodological help and controls the completion of "
        "work-based learning."
    )),
    Term("workplace", _("workplace"), "п. 2", _(
        "A place where the learner gains practical experience directly related to the profession and its competencies."
    )),
    Term("dual", WblForm.DUAL.label, "п. 16–20", _(
        "Work-based learning ordered by the employer: theory at the institution, practice at the enterprise's training "
        "workplaces on an individual schedule, and the graduate's employment."
    )),
    Term("practice", WblForm.PRACTICE.label, "п. 22–31", _(
        "Work-based learning that consolidates theory: educational, production, pre-diploma, specialised or research "
        "practice, in the periods of the calendar schedule."
    )),
    Term("internship", WblForm.INTERNSHIP.label, "п. 34–43", _(
        "Training of learners, graduates or teachers at an enterprise on an individual programme, referred by the "
        "institution's order and admitted by the enterprise's."
    )),
    Term("apprenticeship", WblForm.APPRENTICESHIP.label, "п. 44–48", _(
        "Work-based learning in primary vocational education on the enterprise's training agreement with the apprentice "
        "under the Labour Code, individual, brigade or course."
    )),
]  # fmt: skip


def rows():
    """Each term in every document language (the reader's language first), its clause and its definition."""
    out = []
    for t in TERMS:
        names = {}
        for lang in DOCUMENT_LANGUAGES:
            with translation.override(lang):
                names[lang] = capfirst(str(t.term))
        out.append({"code": t.code, "names": names, "clause": t.clause, "definition": str(t.definition)})
    return out
