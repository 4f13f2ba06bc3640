"""The numbering register of orders: one sequence per institution (or employer), year and series.

An order gets its number when it is signed, never before: a draft has none, so cancelled drafts
leave no holes. The register row of the sequence is taken under `select_for_update`, so two
signings at the same moment wait for each other and never get one number; a missing row is
created inside the same transaction (two first signings of a year race on its unique constraint,
and the loser reads the winner's row). The number reads like the paper register writes it:
"14-П" — the number, a dash, the series of the kind of order.
"""

from django.db import IntegrityError, transaction

from kesip.wbl.models import NumberRegister


def number_text(number, series):
    return f"{number}-{series}" if series else str(number)


def highest_given(institution, year, series, employer=None):
    """The highest number of the sequence already on an order (orders entered before the register existed)."""
    from kesip.wbl.models import Order

    kinds = [kind for kind, s in Order.SERIES.items() if s == series]
    qs = Order.objects.filter(institution=institution, year=year, kind__in=kinds).exclude(number="")
    qs = qs.filter(employer=employer) if employer is not None else qs.filter(employer__isnull=True)
    suffix, best = f"-{series}", 0
    for number in qs.values_list("number", flat=True):
        head = number[: -len(suffix)] if series and number.endswith(suffix) else number
        if head.isdigit():
            best = max(best, int(head))
    return best


def _register(institution, year, series, employer):
    """The register row, locked; created when this is the first number of the sequence in Kesip."""
    key = {"institution": institution, "employer": employer, "year": year, "series": series}
    defaults = {"last_number": lambda: highest_given(institution, year, series, employer)}
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                register, _created = NumberRegister.objects.select_for_update().get_or_create(defaults=defaults, **key)
            return register
        except IntegrityError:  # created by another signing between our read and our insert
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def next_number(institution, year, series, employer=None):
    """Take the next number of the sequence and return its text ("14-П").

    Runs in the caller's transaction when there is one (the signing of an order), so the number is
    given only if the order is saved; the row stays locked until that transaction ends.
    """
    with transaction.atomic():
        register = _register(institution, year, series, employer)
        register.last_number += 1
        register.save(update_fields=["last_number"])
    return number_text(register.last_number, series)


def peek(institution, year, series, employer=None):
    """The number the next signing would take (for the sign form; not reserved)."""
    last = (
        NumberRegister.objects.filter(institution=institution, employer=employer, year=year, series=series)
        .values_list("last_number", flat=True)
        .first()
    )
    if last is None:
        last = highest_given(institution, year, series, employer)
    return number_text(last + 1, series)
