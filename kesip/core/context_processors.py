"""The navigation: only the pages whose permission the user holds somewhere."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kesip.core import access

NAV = [
    ("core:dashboard", _("Dashboard"), "speedometer2", None),
    ("core:authorities_list", _("Authorities"), "bank", "view_authority"),
    ("core:institutions_list", _("Institutions"), "building", "view_institution"),
    ("core:programmes_list", _("Programmes"), "journal-bookmark", "view_programme"),
    ("core:groups_list", _("Groups"), "people", "view_group"),
    ("curriculum:calendar_list", _("Calendars"), "calendar3", "view_group"),
    ("core:students_list", _("Students"), "mortarboard", "view_student"),
    ("curriculum:journals", _("Journals"), "journal-check", "view_journal"),
    ("curriculum:exam_list", _("Exams"), "clipboard-check", "view_journal"),
    ("curriculum:load", _("Teacher load"), "hourglass-split", "view_journal"),
    ("core:staff_list", _("Staff"), "person-badge", "view_staff"),
    ("wbl:dashboard", _("Work-based learning"), "briefcase-fill", "list_wbl"),
    ("wbl:diaries", _("Diaries"), "journal-text", "view_diary"),
    ("wbl:consent", _("Consent to WBL"), "check2-square", "consent_wbl"),
    ("wbl:placement_list", _("Placements"), "geo-alt", "list_wbl"),
    ("wbl:agreement_list", _("Agreements"), "file-earmark-text", "list_wbl"),
    ("wbl:order_list", _("Orders"), "file-earmark-ruled", "list_wbl"),
    ("wbl:wblprogramme_list", _("WBL programmes"), "diagram-2", "list_wbl"),
    ("wbl:workplace_list", _("Workplaces"), "tools", frozenset({"list_wbl", "view_wbl", "view_employer"})),
    ("wbl:base_list", _("The institution's WBL bases"), "buildings", "list_wbl"),
    ("wbl:internship_list", _("Internships"), "person-workspace", "list_wbl"),
    ("wbl:volunteer_list", _("Volunteer practice"), "heart", "view_wbl"),
    ("wbl:engagement", _("Part-time work, rewards, requests"), "award", "view_wbl"),
    ("wbl:event_list", _("WBL events"), "calendar-event", "list_wbl"),
    # A learner (and a mentor) reaches the events they attended: view_wbl without the WBL lists.
    ("wbl:event_list", _("My WBL events"), "calendar-event", ("view_wbl", "list_wbl")),
    ("wbl:employment_list", _("Graduates' employment"), "person-check", "view_wbl"),
    ("wbl:upgrading_list", _("Qualification upgrading"), "mortarboard-fill", "list_wbl"),
    ("wbl:need_list", _("Employers' needs"), "person-lines-fill", "view_wbl"),
    ("wbl:evaluation_list", _("Employers' evaluations"), "clipboard-check", "view_wbl"),
    ("wbl:support_measure_list", _("Plan of measures"), "list-check", "list_wbl"),
    ("wbl:report_list", _("Annual WBL reports"), "bar-chart", "list_wbl"),
    ("documents:register", _("Issued documents"), "archive", "list_wbl"),
    ("core:employers_list", _("Employers"), "briefcase", "view_employer"),
    ("core:members_list", _("Users"), "person-gear", "view_member"),
    ("core:specialties_list", _("Classifier"), "diagram-3", "view_programme"),
    ("curriculum:qualifications_list", _("Qualifications"), "award", "view_programme"),
    ("core:rulebook", _("Rulebook"), "book", None),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "languages": settings.LANGUAGES}
    perms = access.permissions(user)
    path = request.path
    items = []
    for name, label, icon, perm in NAV:
        if isinstance(perm, tuple):  # (needed, not held): shown to those who hold the one and not the other
            shown = perm[0] in perms and perm[1] not in perms
        elif isinstance(perm, frozenset):  # every one of them, as the page itself requires
            shown = perm <= perms
        else:
            shown = perm is None or perm in perms
        if shown:
            url = reverse(name)
            active = path == url if url == "/" else path.startswith(url)
            items.append({"url": url, "label": label, "icon": icon, "active": active})
    return {"nav": items, "languages": settings.LANGUAGES, "perms": perms}
