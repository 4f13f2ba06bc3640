"""What every curriculum page shares."""

from django.http import Http404


def scoped_or_404(model, user, pk, action="view", select=()):
    """The record if the user may `action` it, else 404 (another institution's id, a bad id, a missing one)."""
    qs = model.objects.for_user(user, action)
    if select:
        qs = qs.select_related(*select)
    try:
        return qs.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
