"""Pages of part-time work, rewards and measures, and mentors' requests (F26, F27).

`engagement/` is everyone's start page: a mentor's learners with “propose a measure” and “request”
(laid out for a 390 px phone), the employer head's inbox of proposals and requests to decide, a
learner's own part-time jobs and approved measures, and the staff's way into the three registers.
Every record is read through the scoped querysets of `engagement` (another institution's record
answers 404, GET and POST); a step the user may not take is not offered and, posted anyway, answers
403; a refused step shows its rule beside the field, with the clause, and changes nothing.
"""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kesip.core import access
from kesip.core.forms import add_violation
from kesip.core.models import Employer
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import history_entries, require_perm
from kesip.wbl import common, engagement
from kesip.wbl import engagement_rules as rules
from kesip.wbl.engagement_forms import DecisionForm, EndJobForm, IncentiveForm, MentorRequestForm, PartTimeJobForm
from kesip.wbl.models import Decision, EmployerPerson, Incentive, MentorRequest, PartTimeJob, Placement

JOB_SELECT = ("institution", "student__group", "employer")
INCENTIVE_SELECT = (
    "institution",
    "employer",
    "placement__student",
    "placement__intern_staff",
    "mentor",
    "proposed_by",
    "decided_by",
)
REQUEST_SELECT = ("institution", "mentor__employer", "placement__student", "placement__intern_staff", "specialist", "decided_by")


def _get(qs, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _to_form(form, error):
    for v in getattr(error, "violations", None) or [error]:
        add_violation(form, v)


def _flash(request, error):
    for v in getattr(error, "violations", None) or [error]:
        messages.error(request, f"{v.message} ({_('source')}: {v.source})" if v.source else v.message)


def _year(request, chosen):
    year = request.GET.get("year", "")
    if year.isdigit() and 1990 <= int(year) <= 2100:
        chosen["year"] = year
        return int(year)
    return None


def _employers_in(qs, field):
    """The employers of the rows the user sees, for the filter (one query)."""
    return Employer.objects.filter(pk__in=qs.values(field)).order_by("name")


def _staff_anywhere(user, model):
    scope = access.scope_for(user, model, "change")
    return scope.everything or bool(scope.institution_ids)


def _file(field):
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=field.name.rsplit("/", 1)[-1])


def _history(request, obj, title, list_name):
    return render(
        request,
        "core/history.html",
        {"object": obj, "entries": history_entries(obj), "title": title, "list_url": reverse(list_name)},
    )


# --- The start page ----------------------------------------------------------------------------------------


@login_required
def engagement_start(request):
    require_perm(request.user, "view_wbl")
    user = request.user
    people = engagement.people_of(user)
    heads = engagement.headed_employer_ids(user)
    mentor_ids = [p.pk for p in people if p.is_mentor]
    leads = [p for p in people if p.is_head or p.is_representative]
    learners = []
    if mentor_ids:
        learners = list(
            Placement.objects.filter(mentor_id__in=mentor_ids, status__in=rules.AT_EMPLOYER)
            .exclude(status=Placement.Status.CLOSED)
            .select_related("student__group", "intern_staff", "employer")
            .order_by("ends_on", "pk")[:50]
        )
    to_decide, requests_to_decide = [], []
    if heads:
        to_decide = list(
            Incentive.objects.filter(employer_id__in=heads, status=Decision.PROPOSED)
            .select_related(*INCENTIVE_SELECT)
            .order_by("proposed_on", "pk")[:50]
        )
        requests_to_decide = list(
            MentorRequest.objects.filter(mentor__employer_id__in=heads, status=Decision.PROPOSED)
            .select_related(*REQUEST_SELECT)
            .order_by("requested_on", "pk")[:50]
        )
    mine, my_requests = [], []
    if people:
        mine = list(
            Incentive.objects.filter(proposed_by__in=people)
            .select_related(*INCENTIVE_SELECT)
            .order_by("-proposed_on", "-pk")[:20]
        )
        my_requests = list(
            MentorRequest.objects.filter(mentor_id__in=mentor_ids)
            .select_related(*REQUEST_SELECT)
            .order_by("-requested_on", "-pk")[:20]
        )
    mentors = []
    if leads:
        mentors = list(
            EmployerPerson.objects.filter(employer_id__in=[p.employer_id for p in leads], is_mentor=True, is_active=True)
            .exclude(pk__in=[p.pk for p in leads])
            .select_related("employer")
            .order_by("last_name", "first_name")[:50]
        )
    own_jobs, own_measures = [], []
    if access.scope_for(user, PartTimeJob, "view").student_user_ids:
        own_jobs = list(
            PartTimeJob.objects.filter(student__user=user).select_related("employer").order_by("-starts_on", "pk")[:20]
        )
        own_measures = list(
            Incentive.objects.filter(placement__student__user=user, status=Decision.APPROVED)
            .select_related("employer")
            .order_by("-decided_on", "pk")[:20]
        )
    counts = None
    if _staff_anywhere(user, Incentive):
        counts = {
            "jobs": engagement.visible_jobs(user).filter(ends_on__gte=datetime.date.today()).count(),
            "proposed": engagement.visible_incentives(user).filter(status=Decision.PROPOSED).count(),
            "requests": engagement.visible_requests(user).filter(status=Decision.PROPOSED).count(),
        }
    return render(
        request,
        "wbl/engagement_start.html",
        {
            "title": _("Part-time work, rewards, requests"),
            "learners": learners,
            "to_decide": to_decide,
            "requests_to_decide": requests_to_decide,
            "mine": mine,
            "my_requests": my_requests,
            "mentors": mentors,
            "own_jobs": own_jobs,
            "own_measures": own_measures,
            "counts": counts,
            "is_mentor": bool(mentor_ids),
            "decision_form": DecisionForm(),
        },
    )


# --- Part-time work ----------------------------------------------------------------------------------------


def _job(user, pk):
    return _get(engagement.visible_jobs(user).select_related(*JOB_SELECT), pk)


def _job_target(user):
    """Where a new job goes: (institution, employer fixed for an employer's representative) or (None, None)."""
    scope = access.scope_for(user, PartTimeJob, "change")
    if scope.everything or scope.institution_ids:
        from kesip.core.models import Institution

        ids = sorted(scope.institution_ids)
        inst = Institution.objects.filter(pk__in=ids).first() if ids else Institution.objects.order_by("pk").first()
        return inst, None
    if scope.employer_ids:
        employer = Employer.objects.filter(pk__in=scope.employer_ids).select_related("institution").order_by("pk").first()
        if employer is not None:
            return employer.institution, employer
    return None, None


@login_required
def parttime_list(request):
    """The register of learners' part-time jobs (п. 13): filter by employer, when, year, current ones, learner."""
    require_perm(request.user, "view_wbl")
    user = request.user
    base = engagement.visible_jobs(user)
    qs = base.select_related("student__group", "employer", "institution")
    chosen = {}
    employer = request.GET.get("employer", "")
    if employer.isdigit():
        qs, chosen["employer"] = qs.filter(employer_id=int(employer)), employer
    when = request.GET.get("when", "")
    if when in PartTimeJob.When.values:
        qs, chosen["when"] = qs.filter(when=when), when
    year = _year(request, chosen)
    if year:
        qs = qs.filter(starts_on__year__lte=year, ends_on__year__gte=year)
    if request.GET.get("now") == "1":
        today = datetime.date.today()
        qs, chosen["now"] = qs.filter(starts_on__lte=today, ends_on__gte=today), "1"
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(student__last_name__icontains=q) | Q(student__first_name__icontains=q) | Q(position__icontains=q))
        chosen["q"] = q
    page = Paginator(qs.order_by("-starts_on", "pk"), settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    institution, _employer = _job_target(user)
    this_year = datetime.date.today().year
    return render(
        request,
        "wbl/parttime_list.html",
        {
            "title": _("Part-time work of learners"),
            "page": page,
            "chosen": chosen,
            "q": q,
            "query": urlencode(chosen),
            "employers": _employers_in(base, "employer_id"),
            "whens": PartTimeJob.When.choices,
            "years": list(range(this_year + 1, this_year - 5, -1)),
            "can_add": institution is not None,
            "many_institutions": len({j.institution_id for j in page.object_list}) > 1,
        },
    )


def _job_form(request, job, institution, employer, title):
    status = 200
    if request.method == "POST":
        status = 400
        form = PartTimeJobForm(
            request.POST, request.FILES, instance=job, user=request.user, institution=institution, employer=employer
        )
        if form.is_valid():
            try:
                saved = engagement.save_job(form.instance, request.user)
            except (common.WblInvalid, RuleViolation) as error:
                _to_form(form, error)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
    else:
        initial = {}
        student = request.GET.get("student", "")
        if not job.pk and student.isdigit():
            initial["student"] = int(student)
        form = PartTimeJobForm(instance=job, user=request.user, institution=institution, employer=employer, initial=initial)
    book = common.rulebook(institution)
    return render(
        request,
        "wbl/parttime_form.html",
        {
            "title": title,
            "form": form,
            "job": job if job.pk else None,
            "limit": book.get(rules.MAX_HOURS),
            "minor_limit": book.get(rules.MINOR_MAX_HOURS),
        },
        status=status,
    )


@login_required
def parttime_add(request):
    institution, employer = _job_target(request.user)
    if institution is None:
        raise PermissionDenied
    job = PartTimeJob(institution_id=institution.pk, institution=institution)
    return _job_form(request, job, institution, employer, _("Record part-time work"))


@login_required
def parttime_detail(request, pk):
    job = _job(request.user, pk)
    return render(
        request,
        "wbl/parttime_detail.html",
        {
            "title": str(job),
            "job": job,
            "check": engagement.job_check(job),
            "steps": engagement.job_steps(job, request.user),
            "end_form": EndJobForm(initial={"ends_on": min(max(datetime.date.today(), job.starts_on), job.ends_on)}),
        },
    )


@login_required
def parttime_edit(request, pk):
    job = _job(request.user, pk)
    if "edit" not in engagement.job_steps(job, request.user):
        raise PermissionDenied
    employer = None if engagement._staff(request.user, PartTimeJob, job.institution_id) else job.employer
    return _job_form(request, job, job.institution, employer, _("Edit: %(object)s") % {"object": job})


@login_required
@require_POST
def parttime_end(request, pk):
    job = _job(request.user, pk)
    if "end" not in engagement.job_steps(job, request.user):
        raise PermissionDenied
    form = EndJobForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return HttpResponseRedirect(job.get_absolute_url())
    try:
        engagement.end_job(job, form.cleaned_data["ends_on"], request.user)
    except (common.WblInvalid, RuleViolation) as error:
        _flash(request, error)
    else:
        messages.success(request, _("The work ends on %(day)s.") % {"day": rules.day(form.cleaned_data["ends_on"])})
    return HttpResponseRedirect(job.get_absolute_url())


@login_required
def parttime_delete(request, pk):
    job = _job(request.user, pk)
    if "delete" not in engagement.job_steps(job, request.user):
        raise PermissionDenied
    if request.method == "POST":
        engagement.delete_job(job, request.user)
        messages.success(request, _("Deleted: %(object)s") % {"object": job})
        return HttpResponseRedirect(reverse("wbl:parttime_list"))
    return render(
        request, "core/confirm_delete.html", {"object": job, "cancel_url": job.get_absolute_url(), "title": _("Delete")}
    )


@login_required
def parttime_contract(request, pk):
    return _file(_job(request.user, pk).contract)


@login_required
def parttime_history(request, pk):
    return _history(request, _job(request.user, pk), _("Part-time work of learners"), "wbl:parttime_list")


# --- Rewards and measures ----------------------------------------------------------------------------------


def _incentive(user, pk):
    return _get(engagement.visible_incentives(user).select_related(*INCENTIVE_SELECT), pk)


@login_required
def incentive_list(request):
    """The register of rewards, incentives and disciplinary measures: filter by decision, kind, recipient, employer, year."""
    require_perm(request.user, "view_wbl")
    base = engagement.visible_incentives(request.user)
    qs = base.select_related(*INCENTIVE_SELECT)
    chosen = {}
    status = request.GET.get("status", "")
    if status in Decision.values:
        qs, chosen["status"] = qs.filter(status=status), status
    kind = request.GET.get("kind", "")
    if kind in Incentive.Kind.values:
        qs, chosen["kind"] = qs.filter(kind=kind), kind
    recipient = request.GET.get("recipient", "")
    if recipient in ("learner", "mentor"):
        qs, chosen["recipient"] = qs.filter(placement__isnull=recipient == "mentor"), recipient
    employer = request.GET.get("employer", "")
    if employer.isdigit():
        qs, chosen["employer"] = qs.filter(employer_id=int(employer)), employer
    year = _year(request, chosen)
    if year:
        qs = qs.filter(proposed_on__year=year)
    page = Paginator(qs.order_by("-proposed_on", "-pk"), settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    this_year = datetime.date.today().year
    return render(
        request,
        "wbl/incentive_list.html",
        {
            "title": _("Rewards and measures"),
            "page": page,
            "chosen": chosen,
            "query": urlencode(chosen),
            "statuses": Decision.choices,
            "kinds": Incentive.Kind.choices,
            "employers": _employers_in(base, "employer_id"),
            "years": list(range(this_year, this_year - 6, -1)),
        },
    )


def _incentive_form(request, incentive, title, for_mentor, back):
    status = 200
    if request.method == "POST":
        status = 400
        form = IncentiveForm(request.POST, instance=incentive, for_mentor=for_mentor)
        if form.is_valid():
            try:
                saved = engagement.propose(form.instance, request.user)
            except (common.WblInvalid, RuleViolation) as error:
                _to_form(form, error)
            else:
                messages.success(request, _("Proposed to the employer's head: %(object)s") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
    else:
        form = IncentiveForm(instance=incentive, for_mentor=for_mentor)
    return render(
        request,
        "wbl/incentive_form.html",
        {"title": title, "form": form, "incentive": incentive, "back": back},
        status=status,
    )


@login_required
def placement_propose(request, pk):
    """The mentor (or the employer's representative or head) proposes a measure for the learner (п. 58, item 11)."""
    require_perm(request.user, "view_wbl")
    placement = _get(
        Placement.objects.for_user(request.user, "view").select_related("student", "intern_staff", "employer", "mentor"), pk
    )
    if not engagement.may_propose_for_placement(request.user, placement):
        raise PermissionDenied
    incentive = Incentive(placement=placement, employer=placement.employer, institution_id=placement.institution_id)
    title = _("Propose a measure for %(learner)s") % {"learner": placement.learner}
    return _incentive_form(request, incentive, title, False, reverse("wbl:engagement"))


@login_required
def person_reward(request, pk):
    """The employer's representative or head proposes a reward for a mentor (п. 57, item 15)."""
    require_perm(request.user, "view_wbl")
    mentor = _get(EmployerPerson.objects.for_user(request.user, "view").select_related("employer"), pk)
    if not mentor.is_mentor or not engagement.may_reward(request.user, mentor):
        raise PermissionDenied
    incentive = Incentive(mentor=mentor, employer=mentor.employer, institution_id=mentor.institution_id)
    title = _("Propose a reward for the mentor %(mentor)s") % {"mentor": mentor}
    return _incentive_form(request, incentive, title, True, reverse("wbl:engagement"))


@login_required
def incentive_detail(request, pk):
    incentive = _incentive(request.user, pk)
    return render(
        request,
        "wbl/incentive_detail.html",
        {
            "title": str(incentive),
            "incentive": incentive,
            "steps": engagement.incentive_steps(incentive, request.user),
            "decision_form": DecisionForm(),
            "head_rule": common.rulebook(incentive.institution).get(rules.HEAD_DECIDES),
        },
    )


@login_required
def incentive_edit(request, pk):
    incentive = _incentive(request.user, pk)
    if "edit" not in engagement.incentive_steps(incentive, request.user):
        raise PermissionDenied
    title = _("Edit: %(object)s") % {"object": incentive}
    return _incentive_form(request, incentive, title, incentive.mentor_id is not None, incentive.get_absolute_url())


@login_required
def incentive_delete(request, pk):
    incentive = _incentive(request.user, pk)
    if "withdraw" not in engagement.incentive_steps(incentive, request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            engagement.withdraw(incentive, request.user)
        except (common.WblInvalid, RuleViolation) as error:
            _flash(request, error)
            return HttpResponseRedirect(incentive.get_absolute_url())
        messages.success(request, _("The proposal is withdrawn."))
        return HttpResponseRedirect(reverse("wbl:engagement"))
    return render(
        request,
        "core/confirm_delete.html",
        {"object": incentive, "cancel_url": incentive.get_absolute_url(), "title": _("Withdraw")},
    )


def _decision_step(request, record, step, steps, done):
    if "decide" not in steps:
        raise PermissionDenied  # VR-50, VR-51: only the employer's head decides
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Approve or reject."))
    else:
        try:
            step(record, form.cleaned_data["decision"], request.user, note=form.cleaned_data["note"])
        except (common.WblInvalid, RuleViolation) as error:
            _flash(request, error)
        else:
            messages.success(request, done[form.cleaned_data["decision"]])
    target = request.POST.get("next", "")
    return HttpResponseRedirect(reverse("wbl:engagement") if target == "start" else record.get_absolute_url())


@login_required
@require_POST
def incentive_decide(request, pk):
    incentive = _incentive(request.user, pk)
    done = {Decision.APPROVED: _("The measure is approved."), Decision.REJECTED: _("The measure is rejected.")}
    return _decision_step(request, incentive, engagement.decide, engagement.incentive_steps(incentive, request.user), done)


@login_required
def incentive_history(request, pk):
    return _history(request, _incentive(request.user, pk), _("Rewards and measures"), "wbl:incentive_list")


# --- Mentors' requests -------------------------------------------------------------------------------------


def _request(user, pk):
    return _get(engagement.visible_requests(user).select_related(*REQUEST_SELECT), pk)


@login_required
def mentor_request_list(request):
    """The register of mentors' requests: filter by answer, kind and employer."""
    require_perm(request.user, "view_wbl")
    base = engagement.visible_requests(request.user)
    qs = base.select_related(*REQUEST_SELECT)
    chosen = {}
    status = request.GET.get("status", "")
    if status in Decision.values:
        qs, chosen["status"] = qs.filter(status=status), status
    kind = request.GET.get("kind", "")
    if kind in MentorRequest.Kind.values:
        qs, chosen["kind"] = qs.filter(kind=kind), kind
    employer = request.GET.get("employer", "")
    if employer.isdigit():
        qs, chosen["employer"] = qs.filter(mentor__employer_id=int(employer)), employer
    page = Paginator(qs.order_by("-requested_on", "-pk"), settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "wbl/mentor_request_list.html",
        {
            "title": _("Mentors' requests"),
            "page": page,
            "chosen": chosen,
            "query": urlencode(chosen),
            "statuses": Decision.choices,
            "kinds": MentorRequest.Kind.choices,
            "employers": _employers_in(base, "mentor__employer_id"),
            "can_add": engagement.mentor_person(request.user) is not None,
        },
    )


def _request_form(request, record, mentor, placement, title):
    status = 200
    if request.method == "POST":
        status = 400
        form = MentorRequestForm(request.POST, instance=record, mentor=mentor, placement=placement)
        if form.is_valid():
            try:
                saved = engagement.save_request(form.instance, request.user)
            except (common.WblInvalid, RuleViolation) as error:
                _to_form(form, error)
            else:
                messages.success(request, _("Sent to the employer's head: %(object)s") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
    else:
        initial = {"kind": request.GET["kind"]} if request.GET.get("kind") in MentorRequest.Kind.values else {}
        form = MentorRequestForm(instance=record, mentor=mentor, placement=placement, initial=initial)
    return render(
        request,
        "wbl/mentor_request_form.html",
        {"title": title, "form": form, "record": record, "placement": placement, "mentor": mentor},
        status=status,
    )


@login_required
def mentor_request_add(request):
    mentor = engagement.mentor_person(request.user)
    if mentor is None:
        raise PermissionDenied
    record = MentorRequest(mentor=mentor, institution_id=mentor.institution_id)
    return _request_form(request, record, mentor, None, _("A request to the employer's head"))


@login_required
def placement_request(request, pk):
    """The learner's mentor asks to involve another specialist or for conditions (п. 58, items 9–10)."""
    require_perm(request.user, "view_wbl")
    placement = _get(
        Placement.objects.for_user(request.user, "view").select_related("student", "intern_staff", "employer", "mentor"), pk
    )
    mentor = engagement.mentor_person(request.user, placement.employer_id)
    if mentor is None or placement.mentor_id != mentor.pk:
        raise PermissionDenied
    record = MentorRequest(mentor=mentor, placement=placement, institution_id=placement.institution_id)
    title = _("A request about %(learner)s") % {"learner": placement.learner}
    return _request_form(request, record, mentor, placement, title)


@login_required
def mentor_request_detail(request, pk):
    record = _request(request.user, pk)
    return render(
        request,
        "wbl/mentor_request_detail.html",
        {
            "title": str(record),
            "record": record,
            "steps": engagement.request_steps(record, request.user),
            "decision_form": DecisionForm(),
            "approval_rule": common.rulebook(record.institution).get(rules.HEAD_APPROVAL),
        },
    )


@login_required
def mentor_request_edit(request, pk):
    record = _request(request.user, pk)
    if "edit" not in engagement.request_steps(record, request.user):
        raise PermissionDenied
    placement = record.placement if record.placement_id else None
    return _request_form(request, record, record.mentor, placement, _("Edit: %(object)s") % {"object": record})


@login_required
def mentor_request_delete(request, pk):
    record = _request(request.user, pk)
    if "withdraw" not in engagement.request_steps(record, request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            engagement.withdraw_request(record, request.user)
        except (common.WblInvalid, RuleViolation) as error:
            _flash(request, error)
            return HttpResponseRedirect(record.get_absolute_url())
        messages.success(request, _("The request is withdrawn."))
        return HttpResponseRedirect(reverse("wbl:engagement"))
    return render(
        request, "core/confirm_delete.html", {"object": record, "cancel_url": record.get_absolute_url(), "title": _("Withdraw")}
    )


@login_required
@require_POST
def mentor_request_decide(request, pk):
    record = _request(request.user, pk)
    done = {Decision.APPROVED: _("The request is approved."), Decision.REJECTED: _("The request is rejected.")}
    return _decision_step(request, record, engagement.decide_request, engagement.request_steps(record, request.user), done)


@login_required
def mentor_request_history(request, pk):
    return _history(request, _request(request.user, pk), _("Mentors' requests"), "wbl:mentor_request_list")


def placement_panel(placement, user):
    """For the placement's page: the specialists involved with the head's approval (VR-50), the measures decided on
    the learner, and the steps the user may take here. Two queries."""
    counts = Incentive.objects.filter(placement=placement).aggregate(
        approved=Count("pk", filter=Q(status=Decision.APPROVED)), proposed=Count("pk", filter=Q(status=Decision.PROPOSED))
    )
    mentor = engagement.mentor_person(user, placement.employer_id)
    return {
        "specialists": engagement.involved_specialists(placement),
        "incentives": counts,
        "may_propose": placement.status in rules.AT_EMPLOYER and engagement.may_propose_for_placement(user, placement),
        "may_request": placement.status in rules.REQUEST_OPEN and mentor is not None and placement.mentor_id == mentor.pk,
    }


urlpatterns = [
    path("engagement/", engagement_start, name="engagement"),
    path("part-time/", parttime_list, name="parttime_list"),
    path("part-time/add/", parttime_add, name="parttime_add"),
    path("part-time/<int:pk>/", parttime_detail, name="parttime_detail"),
    path("part-time/<int:pk>/edit/", parttime_edit, name="parttime_edit"),
    path("part-time/<int:pk>/end/", parttime_end, name="parttime_end"),
    path("part-time/<int:pk>/delete/", parttime_delete, name="parttime_delete"),
    path("part-time/<int:pk>/contract/", parttime_contract, name="parttime_contract"),
    path("part-time/<int:pk>/history/", parttime_history, name="parttime_history"),
    path("incentives/", incentive_list, name="incentive_list"),
    path("incentives/<int:pk>/", incentive_detail, name="incentive_detail"),
    path("incentives/<int:pk>/edit/", incentive_edit, name="incentive_edit"),
    path("incentives/<int:pk>/withdraw/", incentive_delete, name="incentive_delete"),
    path("incentives/<int:pk>/decide/", incentive_decide, name="incentive_decide"),
    path("incentives/<int:pk>/history/", incentive_history, name="incentive_history"),
    path("placements/<int:pk>/propose/", placement_propose, name="placement_propose"),
    path("people/<int:pk>/reward/", person_reward, name="person_reward"),
    path("requests/", mentor_request_list, name="mentor_request_list"),
    path("requests/add/", mentor_request_add, name="mentor_request_add"),
    path("requests/<int:pk>/", mentor_request_detail, name="mentor_request_detail"),
    path("requests/<int:pk>/edit/", mentor_request_edit, name="mentor_request_edit"),
    path("requests/<int:pk>/withdraw/", mentor_request_delete, name="mentor_request_delete"),
    path("requests/<int:pk>/decide/", mentor_request_decide, name="mentor_request_decide"),
    path("requests/<int:pk>/history/", mentor_request_history, name="mentor_request_history"),
    path("placements/<int:pk>/request/", placement_request, name="placement_request"),
]
