"""Who may read or change what: the tenancy scope of a user for a model and an action.

Every view and viewset reads tenant data through `Model.objects.for_user(user, action)`, which
asks `scope_for` here. The scope is computed once per request from the user's memberships.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from kesip.core.roles import EMPLOYER_ROLES, PERMISSIONS, STUDENT_SELF_AREAS, Role


@dataclass(frozen=True)
class Scope:
    """Institutions whose rows are fully visible, plus the outside and personal rows a user may see.

    Outside users see only rows of their employer: a model opts in by naming `employer_path`, the
    path from it to its Employer ("pk" on Employer). A mentor sees, of a model that names
    `mentor_path` (the path to its EmployerPerson), only the rows where they are the mentor. A
    student sees, of the WBL areas, only rows whose `student_path` leads to their own record; a legal
    representative, only rows of the learners linked to their account.
    """

    everything: bool = False
    institution_ids: frozenset = field(default_factory=frozenset)
    employer_ids: frozenset = field(default_factory=frozenset)
    mentor_employer_ids: frozenset = field(default_factory=frozenset)
    mentor_user_ids: frozenset = field(default_factory=frozenset)
    student_user_ids: frozenset = field(default_factory=frozenset)
    represented_student_ids: frozenset = field(default_factory=frozenset)

    def q(self, path, model=None):
        q = Q(**{f"{path}__in": self.institution_ids}) if path else Q(pk__in=self.institution_ids)
        employer_path = getattr(model, "employer_path", None)
        mentor_path = getattr(model, "mentor_path", None)
        student_path = getattr(model, "student_path", None)
        employer_ids = set(self.employer_ids)
        if self.mentor_user_ids and mentor_path:
            q |= Q(**{f"{mentor_path}__user_id__in": self.mentor_user_ids})
        else:
            employer_ids |= self.mentor_employer_ids
        if employer_ids and employer_path:
            q |= Q(**{f"{employer_path}__in": employer_ids})
        if self.student_user_ids and student_path:
            q |= Q(**{f"{student_path}__user_id__in": self.student_user_ids})
        if self.represented_student_ids and student_path:
            q |= Q(**{f"{student_path}__in": self.represented_student_ids})
        return q

    def allows_institution(self, institution_id):
        return self.everything or institution_id in self.institution_ids


def memberships(user):
    """The user's active memberships, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_kesip_memberships", None)
    if cached is None:
        cached = list(user.memberships.filter(is_active=True).select_related("institution", "authority", "employer"))
        user._kesip_memberships = cached
    return cached


def is_system_admin(user):
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or any(m.role == Role.SYSTEM_ADMIN for m in memberships(user))


def permissions(user):
    """Every permission the user holds in at least one membership."""
    perms = set()
    if is_system_admin(user):
        perms |= PERMISSIONS[Role.SYSTEM_ADMIN]
    for m in memberships(user):
        perms |= PERMISSIONS.get(m.role, set())
    return perms


def has_perm(user, perm):
    return perm in permissions(user)


def _authority_institution_ids(authority_ids):
    from kesip.core.models import Authority, Institution

    return set(Institution.objects.filter(authority_id__in=Authority.subtree_ids(authority_ids)).values_list("id", flat=True))


def represented_student_ids(user):
    """The learners a legal representative's account is linked to, in the institutions of their memberships."""
    institution_ids = {m.institution_id for m in memberships(user) if m.role == Role.LEGAL_REPRESENTATIVE and m.institution_id}
    return _represented_student_ids(user, institution_ids) if institution_ids else set()


def _represented_student_ids(user, institution_ids):
    cached = getattr(user, "_kesip_represented", None)
    if cached is None:
        from kesip.core.models import StudentRepresentative

        cached = set(
            StudentRepresentative.objects.filter(
                user=user, is_active=True, institution_id__in=institution_ids, student__institution_id__in=institution_ids
            ).values_list("student_id", flat=True)
        )
        user._kesip_represented = cached
    return cached


def scope_for(user, model, action="view"):
    """The institutions whose `model` rows the user may `action` (view or change)."""
    cache = getattr(user, "_kesip_scopes", None)
    if cache is None:
        cache = {}
        if getattr(user, "is_authenticated", False):
            user._kesip_scopes = cache
    area = getattr(model, "access_area", model._meta.model_name)
    key = (area, action)
    if key in cache:
        return cache[key]
    perm = f"{action}_{area}"
    if is_system_admin(user):
        scope = Scope(everything=True)
    else:
        institution_ids, authority_ids, employer_ids = set(), set(), set()
        mentor_employer_ids, mentor_user_ids, student_user_ids = set(), set(), set()
        represented_in = set()
        for m in memberships(user):
            if perm not in PERMISSIONS.get(m.role, set()):
                continue
            if m.authority_id:
                authority_ids.add(m.authority_id)
            elif m.role == Role.MENTOR:
                mentor_user_ids.add(user.pk)
                if m.employer_id:
                    mentor_employer_ids.add(m.employer_id)
            elif m.role in EMPLOYER_ROLES:
                if m.employer_id:
                    employer_ids.add(m.employer_id)
            elif m.role == Role.STUDENT and area in STUDENT_SELF_AREAS:
                student_user_ids.add(user.pk)
            elif m.role == Role.LEGAL_REPRESENTATIVE:
                if area in STUDENT_SELF_AREAS and m.institution_id:
                    represented_in.add(m.institution_id)
            elif m.institution_id:
                institution_ids.add(m.institution_id)
        if authority_ids:
            institution_ids |= _authority_institution_ids(authority_ids)
        represented = _represented_student_ids(user, represented_in) if represented_in else set()
        scope = Scope(
            institution_ids=frozenset(institution_ids),
            employer_ids=frozenset(employer_ids),
            mentor_employer_ids=frozenset(mentor_employer_ids),
            mentor_user_ids=frozenset(mentor_user_ids),
            student_user_ids=frozenset(student_user_ids),
            represented_student_ids=frozenset(represented),
        )
    cache[key] = scope
    return scope
