"""A student's transcript, as a page and as a PDF in the language asked for."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core.models import Student
from kesip.core.pdf import DOCUMENT_LANGUAGES, document_language, render_pdf
from kesip.curriculum import transcript as transcripts
from kesip.curriculum.models import ComponentGrade


def _student(user, pk):
    try:
        student = Student.objects.for_user(user).select_related("institution", "group__programme__specialty").get(pk=pk)
    except (Student.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    # Grades are journal records: reading them needs the journal's view right in that institution.
    if not access.scope_for(user, ComponentGrade).allows_institution(student.institution_id):
        raise Http404
    return student


@login_required
def transcript(request, pk):
    student = _student(request.user, pk)
    return render(
        request,
        "curriculum/transcript.html",
        {
            "t": transcripts.build(student),
            "languages": DOCUMENT_LANGUAGES,
            "title": _("Transcript") + f" · {student}",
        },
    )


@login_required
def transcript_pdf(request, pk):
    student = _student(request.user, pk)
    language = document_language(request)
    t = transcripts.build(student)
    return render_pdf(
        "curriculum/transcript_pdf.html",
        {"t": t},
        language,
        f"transcript-{student.student_number or student.pk}-{language}.pdf",
    )
