"""Agreements: every Hard rule at its boundary with its clause, the state machine, expiry, amendments, covering()."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.wbl import agreement_rules, agreements
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import Agreement, AgreementAmendment, AgreementRosterEntry, AgreementSignature, WblSettings

pytestmark = pytest.mark.django_db

A = Agreement
P = AgreementSignature.Party
START, END = datetime.date(2025, 2, 1), datetime.date(2025, 12, 31)
TODAY = datetime.date(2025, 3, 10)
PDF = b"%PDF-1.4\n%kesip\n"


def college(jurisdiction="KG", level="secondary_vocational", students=3):
    inst = f.InstitutionFactory(jurisdiction=jurisdiction)
    specialty = f.SpecialtyFactory(jurisdiction=jurisdiction, level=level)
    programme = f.ProgrammeFactory(institution=inst, specialty=specialty)
    group = f.GroupFactory(institution=inst, programme=programme)
    employer = f.EmployerFactory(institution=inst)
    return SimpleNamespace(
        institution=inst,
        specialty=specialty,
        programme=programme,
        group=group,
        employer=employer,
        students=[
            f.StudentFactory(institution=inst, group=group, last_name=f"Студент{i:02d}", birth_date=datetime.date(2003, 1, 1))
            for i in range(students)
        ],
        admin=f.member(Role.INSTITUTION_ADMIN, institution=inst),
        rep=f.member(Role.EMPLOYER_REP, institution=inst, employer=employer),
    )


def draft(t, user=None, specialties=None, **kwargs):
    values = dict(
        employer=t.employer,
        kind=A.Kind.WBL,
        form="practice",
        starts_on=START,
        ends_on=END,
        places=3,
        theory_percent=40,
        practice_percent=60,
        agreed_programme="Программа производственной практики",
    )
    values.update(kwargs)
    return agreements.save_agreement(A(**values), user or t.admin, specialties=specialties)


def codes(caught):
    exc = caught.value
    return [v.code for v in getattr(exc, "violations", [exc])]


def signed(t, agreement, today=TODAY, **kwargs):
    """Every required party signs; the last one with a scan."""
    parties = agreement_rules.required_parties(agreement)
    for i, party in enumerate(parties):
        last = i == len(parties) - 1
        agreements.sign(
            agreement,
            party,
            f"Подписант {party}",
            START,
            t.admin,
            scan=SimpleUploadedFile("signed.pdf", PDF, "application/pdf") if last else None,
            today=today,
            **kwargs,
        )
    agreement.refresh_from_db()
    return agreement


# ---------------------------------------------------------------------------- covering (VR-2)


def test_covering_holds_on_the_first_and_last_day_and_not_one_day_outside():
    t = college()
    agreement = signed(t, draft(t, specialties=[t.specialty]))
    cover = agreement_rules.covering
    assert cover(t.employer, "practice", START, END) == agreement
    assert cover(t.employer, "practice", START, START) == agreement
    assert cover(t.employer, "practice", END, END) == agreement
    assert cover(t.employer, "practice", START - datetime.timedelta(days=1), END) is None
    assert cover(t.employer, "practice", START, END + datetime.timedelta(days=1)) is None
    assert cover(t.employer, "dual", START, END) is None  # the wrong form
    assert cover(t.employer, "practice", START, END, specialty=t.specialty) == agreement
    other = f.SpecialtyFactory(jurisdiction="KG")
    assert cover(t.employer, "practice", START, END, specialty=other) is None
    assert cover(f.EmployerFactory(institution=t.institution), "practice", START, END) is None


def test_covering_ignores_drafts_and_terminated_agreements_and_counts_every_profession_when_none_listed():
    t = college()
    agreement = draft(t)
    assert agreement_rules.covering(t.employer, "practice", START, END) is None
    signed(t, agreement)
    assert agreement_rules.covering(t.employer, "practice", START, END, specialty=t.specialty) == agreement
    agreements.terminate(agreement, TODAY, "Предприятие закрыто", t.admin, today=TODAY)
    assert agreement_rules.covering(t.employer, "practice", START, END) is None


def test_an_apprenticeship_agreement_covers_apprenticeship():
    t = college(level="primary_vocational")
    minor = t.students[0]
    agreement = draft(t, kind=A.Kind.APPRENTICESHIP, form="", learner=minor, theory_percent=None, practice_percent=None)
    agreement = signed(t, agreement)
    assert agreement.form == "apprenticeship"
    assert agreement_rules.covering(t.employer, "apprenticeship", START, END) == agreement
    assert agreement_rules.covering(t.employer, "practice", START, END) is None


def test_require_covering_names_the_clauses():
    t = college()
    with pytest.raises(RuleViolation) as caught:
        agreement_rules.require_covering(t.employer, "practice", START, END, specialty=t.specialty)
    assert caught.value.code == "wbl.agreement.required"
    assert "п. 2, 12, 55, 57 item 1" in caught.value.source and t.employer.name in caught.value.message
    agreement = signed(t, draft(t))
    assert agreement_rules.require_covering(t.employer, "practice", START, END) == agreement


# ---------------------------------------------------------------------------- parties (VR-3)


def test_party_count_follows_the_institutions_mapping_for_the_form():
    t = college()
    # Practice: 2 parties by default.
    assert agreement_rules.signing_violations(draft(t)) == []
    three = draft(t, learner=t.students[0])
    assert [v.code for v in agreement_rules.signing_violations(three)] == ["wbl.agreement.min_parties"]
    # Dual: 3 parties by default.
    dual = dict(
        form="dual",
        employer_is_customer=True,
        curriculum_agreed_on=datetime.date(2024, 12, 20),
        individual_schedule="График",
        employment_clause="Трудоустройство",
    )
    violations = agreement_rules.signing_violations(draft(t, **dual))
    assert [v.code for v in violations] == ["wbl.agreement.min_parties"] and "п. 12" in violations[0].source
    assert agreement_rules.signing_violations(draft(t, learner=t.students[0], **dual)) == []
    assert agreement_rules.signing_violations(draft(t, legal_representative="Иванова А. (мать)", **dual)) == []
    # The institution maps practice to 3 parties: a 2-party practice agreement is refused.
    WblSettings.objects.create(institution=t.institution, parties_practice=3)
    assert [v.code for v in agreement_rules.signing_violations(draft(t))] == ["wbl.agreement.min_parties"]


def test_a_learner_under_18_on_the_first_day_needs_the_legal_representative():
    t = college()
    learner = t.students[0]
    dual = dict(
        form="dual",
        employer_is_customer=True,
        curriculum_agreed_on=datetime.date(2024, 12, 20),
        individual_schedule="График",
        employment_clause="Трудоустройство",
        learner=learner,
    )
    learner.birth_date = datetime.date(2007, 2, 1)  # 18 on the first day
    learner.save()
    assert agreement_rules.signing_violations(draft(t, **dual)) == []
    learner.birth_date = datetime.date(2007, 2, 2)  # 17 on the first day, 18 the next
    learner.save()
    agreement = draft(t, **dual)
    violations = agreement_rules.signing_violations(agreement)
    assert [(v.code, v.field) for v in violations] == [("wbl.agreement.minor_age", "legal_representative")]
    with pytest.raises(WblInvalid):
        agreements.to_negotiation(agreement, t.admin)
    agreement.refresh_from_db()
    assert agreement.status == A.Status.DRAFT
    agreement.legal_representative = "Иванова Айгүл (мать)"
    agreements.save_agreement(agreement, t.admin)
    assert agreements.to_negotiation(agreement, t.admin).status == A.Status.NEGOTIATION


# ---------------------------------------------------------------------------- content (VR-4, VR-23, VR-33)


def test_theory_and_practice_make_100_and_the_programme_is_recorded():
    t = college()
    with pytest.raises(WblInvalid) as caught:
        draft(t, theory_percent=40, practice_percent=59)
    assert [v.field for v in caught.value.violations] == ["practice_percent"]
    assert A.objects.count() == 0
    agreement = draft(t, theory_percent=40, practice_percent=60)
    assert agreement_rules.signing_violations(agreement) == []
    bare = draft(t, theory_percent=None, practice_percent=None, agreed_programme="")
    found = agreement_rules.signing_violations(bare)
    assert {v.code for v in found} == {"wbl.agreement.programme_and_ratio"} and len(found) == 2
    assert all("п. 9" in v.source for v in found)


def test_a_linked_wbl_programme_of_the_same_form_is_the_agreed_programme():
    from kesip.wbl.models import WblProgramme

    t = college()
    programme = WblProgramme.objects.create(
        institution=t.institution, programme=t.programme, form="practice", co_developer=t.employer, academic_year=2024
    )
    assert agreement_rules.signing_violations(draft(t, agreed_programme="", wbl_programme=programme)) == []
    dual = draft(t, agreed_programme="", wbl_programme=programme, form="dual", learner=t.students[0],
                 employer_is_customer=True, curriculum_agreed_on=datetime.date(2024, 12, 20), individual_schedule="График",
                 employment_clause="Трудоустройство")  # fmt: skip
    assert [v.code for v in agreement_rules.signing_violations(dual)] == ["wbl.agreement.programme"]


def test_dual_training_needs_the_individual_schedule_and_the_employment_clause():
    t = college()
    dual = draft(t, form="dual", learner=t.students[0], individual_schedule="График", employment_clause="")
    found = agreement_rules.signing_violations(dual)
    assert [(v.code, v.field) for v in found] == [
        ("wbl.agreement.dual_clauses", "employer_is_customer"),
        ("wbl.agreement.dual_clauses", "curriculum_agreed_on"),
        ("wbl.agreement.dual_clauses", "employment_clause"),
    ]
    assert "п. 16, 19" in found[0].source
    dual.employer_is_customer = True  # VR-23: the employer is the customer of the training (п. 16)
    dual.curriculum_agreed_on = datetime.date.today() + datetime.timedelta(days=1)  # not yet
    assert "curriculum_agreed_on" in [v.field for v in agreement_rules.signing_violations(dual)]
    dual.curriculum_agreed_on = datetime.date.today()  # the employer agreed the curriculum and the calendar (п. 20)
    dual.individual_schedule, dual.employment_clause = "", "Выпускник будет принят на работу"
    agreements.save_agreement(dual, t.admin)
    assert [v.field for v in agreement_rules.signing_violations(dual)] == ["individual_schedule"]


def test_dual_practice_share_below_the_institutions_threshold_only_warns():
    t = college()
    dual = dict(
        form="dual",
        learner=t.students[0],
        employer_is_customer=True,
        curriculum_agreed_on=datetime.date(2024, 12, 20),
        individual_schedule="График",
        employment_clause="Трудоустройство",
    )
    at = draft(t, theory_percent=49, practice_percent=51, **dual)
    assert agreement_rules.warnings(at) == []
    below = draft(t, theory_percent=50, practice_percent=50, **dual)
    warned = agreement_rules.warnings(below)
    assert [v.code for v in warned] == ["wbl.agreement.dual_practice_share"] and "п. 18" in warned[0].source
    assert agreement_rules.signing_violations(below) == []
    assert agreements.to_negotiation(below, t.admin).status == A.Status.NEGOTIATION


def test_apprenticeship_only_for_primary_vocational_learners():
    primary = college(level="primary_vocational")
    ok = draft(primary, kind=A.Kind.APPRENTICESHIP, learner=primary.students[0], theory_percent=None, practice_percent=None)
    assert agreement_rules.signing_violations(ok) == []
    secondary = college(level="secondary_vocational")
    refused = draft(secondary, kind=A.Kind.APPRENTICESHIP, learner=secondary.students[0])
    found = agreement_rules.signing_violations(refused)
    assert [(v.code, v.field) for v in found] == [("wbl.agreement.apprenticeship_primary_vocational", "learner")]
    assert "п. 44" in found[0].source
    no_learner = draft(primary, kind=A.Kind.APPRENTICESHIP, legal_representative="Асанова (мать)")
    assert "wbl.agreement.apprenticeship_primary_vocational" in [v.code for v in agreement_rules.signing_violations(no_learner)]


def test_apprenticeship_roster_takes_primary_vocational_learners_only():
    t = college(level="primary_vocational")
    other = f.ProgrammeFactory(institution=t.institution, specialty=f.SpecialtyFactory(level="secondary_vocational"))
    outsider = f.StudentFactory(institution=t.institution, group=f.GroupFactory(institution=t.institution, programme=other))
    agreement = draft(t, form="apprenticeship", learner=t.students[0])
    agreements.set_roster(agreement, [t.students[0]], t.admin)
    with pytest.raises(WblInvalid) as caught:
        agreements.add_to_roster(agreement, [outsider], t.admin)
    assert codes(caught) == ["wbl.agreement.apprenticeship_primary_vocational"]
    assert list(agreement.roster.values_list("student", flat=True)) == [t.students[0].pk]


def test_a_volunteer_memorandum_has_two_parties_no_form_and_no_roster():
    t = college()
    memo = draft(t, kind=A.Kind.VOLUNTEER, form="dual", places=None, theory_percent=None, practice_percent=None,
                 agreed_programme="")  # fmt: skip
    assert memo.form == "" and agreement_rules.signing_violations(memo) == []
    with pytest.raises(WblInvalid) as caught:
        agreements.set_roster(memo, t.students[:1], t.admin)
    assert codes(caught) == ["wbl.agreement.volunteer_memorandum"]
    memo.learner = t.students[0]
    agreements.save_agreement(memo, t.admin)
    found = agreement_rules.signing_violations(memo)
    assert [v.code for v in found] == ["wbl.agreement.volunteer_memorandum"] and "п. 31" in found[0].source
    assert agreement_rules.required_parties(memo) == [P.INSTITUTION, P.EMPLOYER, P.LEARNER]


def test_rules_of_kyrgyzstan_do_not_apply_in_kazakhstan():
    t = college("KZ")
    agreement = draft(t, theory_percent=None, practice_percent=None, agreed_programme="", learner=t.students[0])
    assert agreement_rules.signing_violations(agreement) == []
    assert agreement_rules.require_covering(t.employer, "practice", START, END) is None


# ---------------------------------------------------------------------------- roster (VR-43)


def test_the_roster_holds_as_many_learners_as_places_and_not_one_more():
    t = college(students=4)
    agreement = draft(t, places=3)
    agreements.set_roster(agreement, t.students[:3], t.admin)
    assert agreement.roster.count() == 3
    with pytest.raises(WblInvalid) as caught:
        agreements.set_roster(agreement, t.students, t.admin)
    assert codes(caught) == ["wbl.agreement.roster_within_places"] and "п. 57" in caught.value.violations[0].source
    with pytest.raises(WblInvalid):
        agreements.add_to_roster(agreement, t.students[3:], t.admin)
    assert sorted(agreement.roster.values_list("student", flat=True)) == sorted(s.pk for s in t.students[:3])


def test_the_roster_takes_studying_students_of_the_institution_only():
    t = college()
    stranger = f.StudentFactory()
    agreement = draft(t)
    with pytest.raises(WblInvalid) as caught:
        agreements.set_roster(agreement, [t.students[0], stranger], t.admin)
    assert codes(caught) == ["wbl.agreement.roster"]
    t.students[1].status = "expelled"
    t.students[1].save()
    with pytest.raises(WblInvalid):
        agreements.set_roster(agreement, [t.students[1]], t.admin)
    assert agreement.roster.count() == 0


def test_a_group_part_of_the_roster_is_replaced_and_the_other_groups_stay():
    t = college(students=2)
    other_group = f.GroupFactory(institution=t.institution, programme=t.programme)
    other = f.StudentFactory(institution=t.institution, group=other_group)
    agreement = draft(t, places=3)
    agreements.set_roster(agreement, [other, t.students[0]], t.admin)
    agreements.set_roster(agreement, [t.students[1]], t.admin, group=t.group)
    assert sorted(agreement.roster.values_list("student", flat=True)) == sorted([other.pk, t.students[1].pk])
    with pytest.raises(WblInvalid):
        agreements.set_roster(agreement, [other], t.admin, group=t.group)


# ---------------------------------------------------------------------------- the state machine


def test_signing_by_every_party_makes_the_agreement_signed_then_active():
    t = college()
    agreement = draft(t)
    agreements.to_negotiation(agreement, t.admin)
    agreements.sign(agreement, P.INSTITUTION, "Директор Асанов А.", START, t.admin, today=TODAY)
    agreement.refresh_from_db()
    assert agreement.status == A.Status.NEGOTIATION
    with pytest.raises(WblInvalid) as caught:  # the last signature needs the signed copy
        agreements.sign(agreement, P.EMPLOYER, "Директор Б.", START, t.admin, today=TODAY)
    assert codes(caught) == ["wbl.agreement.scan"] and agreement.signatures.count() == 1
    agreements.sign(agreement, P.EMPLOYER, "Директор Б.", START + datetime.timedelta(days=2), t.admin,
                    signed_outside=True, today=TODAY)  # fmt: skip
    agreement.refresh_from_db()
    assert agreement.status == A.Status.ACTIVE and agreement.signed_outside
    assert agreement.signed_on == START + datetime.timedelta(days=2) and agreement.number == f"1/{START.year}"


def test_signed_before_its_first_day_it_waits_and_activates_on_that_day():
    t = college()
    agreement = draft(t)
    day_before = START - datetime.timedelta(days=1)
    agreements.sign(agreement, P.INSTITUTION, "Директор", day_before, t.admin, today=day_before)
    agreements.sign(agreement, P.EMPLOYER, "Директор", day_before, t.admin, signed_outside=True, today=day_before)
    agreement.refresh_from_db()
    assert agreement.status == A.Status.SIGNED
    with pytest.raises(RuleViolation):
        agreements.activate(agreement, t.admin, today=day_before)
    assert agreements.expire_due(today=day_before) == (0, 0)
    assert agreements.expire_due(today=START) == (0, 1)
    agreement.refresh_from_db()
    assert agreement.status == A.Status.ACTIVE


def test_one_signature_per_party_and_only_the_parties_sign():
    t = college()
    agreement = draft(t)
    agreements.sign(agreement, P.INSTITUTION, "Директор", START, t.admin, today=TODAY)
    with pytest.raises(WblInvalid) as caught:
        agreements.sign(agreement, P.INSTITUTION, "Другой", START, t.admin, today=TODAY)
    assert codes(caught) == ["wbl.agreement.signed_twice"]
    with pytest.raises(WblInvalid) as caught:
        agreements.sign(agreement, P.LEARNER, "Студент", START, t.admin, today=TODAY)
    assert codes(caught) == ["wbl.agreement.party"]
    with pytest.raises(WblInvalid) as caught:
        agreements.sign(agreement, P.EMPLOYER, "Директор", TODAY + datetime.timedelta(days=1), t.admin,
                        signed_outside=True, today=TODAY)  # fmt: skip
    assert codes(caught) == ["wbl.agreement.signed_on"]
    assert agreement.signatures.count() == 1


def test_a_signature_refuses_a_fake_or_large_scan():
    t = college()
    agreement = draft(t)
    agreements.sign(agreement, P.INSTITUTION, "Директор", START, t.admin, today=TODAY)
    fake = SimpleUploadedFile("signed.pdf", b"MZ not a pdf", "application/pdf")
    with pytest.raises(RuleViolation) as caught:
        agreements.sign(agreement, P.EMPLOYER, "Директор", START, t.admin, scan=fake, today=TODAY)
    assert caught.value.code == "wbl.upload.type"
    exe = SimpleUploadedFile("signed.exe", PDF, "application/octet-stream")
    with pytest.raises(RuleViolation):
        agreements.sign(agreement, P.EMPLOYER, "Директор", START, t.admin, scan=exe, today=TODAY)
    big = SimpleUploadedFile("signed.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")
    with pytest.raises(RuleViolation) as caught:
        agreements.sign(agreement, P.EMPLOYER, "Директор", START, t.admin, scan=big, today=TODAY)
    assert caught.value.code == "wbl.upload.size"
    agreement.refresh_from_db()
    assert agreement.status == A.Status.NEGOTIATION and not agreement.signed_scan and agreement.signatures.count() == 1


def test_a_signature_needs_the_rules_to_hold():
    t = college()
    agreement = draft(t, agreed_programme="")
    with pytest.raises(WblInvalid) as caught:
        agreements.sign(agreement, P.INSTITUTION, "Директор", START, t.admin, today=TODAY)
    assert codes(caught) == ["wbl.agreement.programme_and_ratio"]
    agreement.refresh_from_db()
    assert agreement.status == A.Status.DRAFT and agreement.signatures.count() == 0


def test_changing_the_text_after_a_signature_withdraws_it():
    t = college()
    agreement = draft(t)
    agreements.sign(agreement, P.INSTITUTION, "Директор", START, t.admin, today=TODAY)
    agreement.refresh_from_db()
    agreements.save_agreement(agreement, t.admin)  # nothing changed
    assert agreement.withdrawn == [] and agreement.signatures.count() == 1
    agreement.places = 2
    agreements.save_agreement(agreement, t.admin)
    assert [s.party for s in agreement.withdrawn] == [P.INSTITUTION] and agreement.signatures.count() == 0


def snapshot(agreement):
    agreement = A.objects.get(pk=agreement.pk)
    return (
        agreement.status,
        agreement.ends_on,
        agreement.places,
        agreement.signatures.count(),
        agreement.amendments.count(),
        agreement.roster.count(),
    )


def test_impossible_steps_are_refused_and_change_nothing():
    t = college()
    agreement = draft(t)
    before = snapshot(agreement)
    for step in (
        lambda: agreements.activate(agreement, t.admin, today=TODAY),
        lambda: agreements.terminate(agreement, TODAY, "Причина", t.admin, today=TODAY),
        lambda: agreements.amend(agreement, TODAY, TODAY, "Изменение", {"places": 5}, t.admin, today=TODAY),
    ):
        with pytest.raises(RuleViolation):
            step()
        assert snapshot(agreement) == before
    agreements.to_negotiation(agreement, t.admin)
    with pytest.raises(RuleViolation):
        agreements.to_negotiation(agreement, t.admin)
    with pytest.raises(RuleViolation):
        agreements.delete_agreement(agreement, t.admin)
    signed(t, agreement)
    before = snapshot(agreement)
    for step in (
        lambda: agreements.to_negotiation(agreement, t.admin),
        lambda: agreements.sign(agreement, P.EMPLOYER, "Ещё раз", START, t.admin, today=TODAY),
        lambda: agreements.set_roster(agreement, t.students[:1], t.admin),
        lambda: agreements.delete_agreement(agreement, t.admin),
    ):
        with pytest.raises(RuleViolation):
            step()
        assert snapshot(agreement) == before
    edited = A.objects.get(pk=agreement.pk)
    edited.places = 1
    with pytest.raises(RuleViolation):
        agreements.save_agreement(edited, t.admin)
    assert snapshot(agreement) == before
    agreements.terminate(agreement, TODAY, "Работодатель прекратил деятельность", t.admin, today=TODAY)
    before = snapshot(agreement)
    for step in (
        lambda: agreements.activate(agreement, t.admin, today=TODAY),
        lambda: agreements.terminate(agreement, TODAY, "Ещё раз", t.admin, today=TODAY),
        lambda: agreements.amend(agreement, TODAY, TODAY, "Изменение", {"places": 5}, t.admin, today=TODAY),
    ):
        with pytest.raises(RuleViolation):
            step()
        assert snapshot(agreement) == before
    assert snapshot(agreement)[0] == A.Status.TERMINATED


def test_termination_needs_a_reason_and_a_day_within_the_agreement():
    t = college()
    agreement = signed(t, draft(t))
    with pytest.raises(WblInvalid) as caught:
        agreements.terminate(agreement, TODAY + datetime.timedelta(days=1), "", t.admin, today=TODAY)
    assert sorted(v.field for v in caught.value.violations) == ["on", "reason"]
    with pytest.raises(WblInvalid):
        agreements.terminate(agreement, START - datetime.timedelta(days=1), "Причина", t.admin, today=TODAY)
    agreement.refresh_from_db()
    assert agreement.status == A.Status.ACTIVE and agreement.terminated_on is None


def test_a_draft_is_deleted_with_its_roster():
    t = college()
    agreement = draft(t)
    agreements.set_roster(agreement, t.students[:2], t.admin)
    agreements.delete_agreement(agreement, t.admin)
    assert not A.objects.exists() and not AgreementRosterEntry.objects.exists()


# ---------------------------------------------------------------------------- expiry


def test_an_agreement_is_active_on_its_last_day_and_expired_the_day_after():
    t = college()
    agreement = signed(t, draft(t))
    assert agreements.expire_due(today=END) == (0, 0)
    agreement.refresh_from_db()
    assert agreement.status == A.Status.ACTIVE
    assert agreements.expire_due(today=END + datetime.timedelta(days=1)) == (1, 0)
    agreement.refresh_from_db()
    assert agreement.status == A.Status.EXPIRED
    assert agreement.history.first().status == A.Status.EXPIRED


def test_the_expiry_command_expires_due_agreements(capsys):
    from django.core.management import call_command

    t = college()
    agreement = signed(t, draft(t))
    call_command("wbl_expire_agreements", "--today", (END + datetime.timedelta(days=1)).isoformat())
    agreement.refresh_from_db()
    assert agreement.status == A.Status.EXPIRED and "1" in capsys.readouterr().out


# ---------------------------------------------------------------------------- amendments


def test_an_amendment_applies_its_changes_and_keeps_the_old_values():
    t = college(students=4)
    agreement = signed(t, draft(t, places=3))
    new_end = END + datetime.timedelta(days=31)
    first = agreements.amend(
        agreement,
        TODAY,
        TODAY,
        "Срок продлён, мест четыре",
        {"ends_on": new_end.isoformat(), "places": "4", "theory_percent": 30, "practice_percent": 70, "obligations": ""},
        t.admin,
        today=TODAY,
    )
    agreement.refresh_from_db()
    assert first.number == 1 and agreement.ends_on == new_end and agreement.places == 4
    assert first.changes["ends_on"] == [END.isoformat(), new_end.isoformat()] and first.changes["places"] == [3, 4]
    assert first.changes["theory_percent"] == [40, 30] and "obligations" not in first.changes  # unchanged: not recorded
    second = agreements.amend(agreement, TODAY, TODAY, "Поименный список", {"roster": [s.pk for s in t.students]},
                              t.admin, today=TODAY)  # fmt: skip
    assert second.number == 2 and second.changes["roster"] == [[], sorted(s.pk for s in t.students)]
    assert agreement.roster.count() == 4


def test_a_wrong_amendment_changes_nothing():
    t = college(students=3)
    agreement = signed(t, draft(t, places=3))
    agreements.amend(agreement, TODAY, TODAY, "Список", {"roster": [s.pk for s in t.students]}, t.admin, today=TODAY)
    before = snapshot(agreement)
    cases = [
        ({"places": 2}, "wbl.agreement.roster_within_places"),  # fewer places than the roster
        ({"agreed_programme": ""}, "wbl.agreement.programme_and_ratio"),
        ({"theory_percent": 41}, "wbl.agreement.invalid"),  # 41 + 60 ≠ 100
        ({"ends_on": (START - datetime.timedelta(days=1)).isoformat()}, "wbl.agreement.invalid"),
        ({"kind": "dual"}, "wbl.amendment.field"),
        ({"places": "many"}, "wbl.amendment.value"),
    ]
    for changes, code in cases:
        with pytest.raises(WblInvalid) as caught:
            agreements.amend(agreement, TODAY, TODAY, "Изменение", changes, t.admin, today=TODAY)
        assert code in codes(caught), changes
        assert snapshot(agreement) == before
    with pytest.raises(WblInvalid) as caught:
        agreements.amend(agreement, TODAY, END + datetime.timedelta(days=1), "", {"places": 4}, t.admin, today=TODAY)
    assert sorted(v.field for v in caught.value.violations) == ["text"]
    assert AgreementAmendment.objects.filter(agreement=agreement).count() == 1


# ---------------------------------------------------------------------------- employer's side (VR-53)


def test_the_employers_representative_signs_for_the_employer_only_and_sets_no_form():
    t = college()
    with pytest.raises(RuleViolation) as caught:
        draft(t, user=t.rep)
    assert caught.value.code == "wbl.agreement.forms_by_institution" and "п. 8" in caught.value.source
    agreement = draft(t)
    agreements.to_negotiation(agreement, t.admin)
    with pytest.raises(RuleViolation):
        agreements.sign(agreement, P.INSTITUTION, "Директор", START, t.rep, today=TODAY)
    agreement.refresh_from_db()
    agreement.form = "dual"
    with pytest.raises(RuleViolation) as caught:
        agreements.save_agreement(agreement, t.rep)
    assert caught.value.code == "wbl.agreement.forms_by_institution"
    agreement.refresh_from_db()
    agreement.places = 2  # the employer determines the workplaces (п. 57 item 4)
    agreements.save_agreement(agreement, t.rep)
    for step in (
        lambda: agreements.set_roster(agreement, t.students[:1], t.rep),
        lambda: agreements.delete_agreement(agreement, t.rep),
    ):
        with pytest.raises(RuleViolation):
            step()
    signature = agreements.sign(agreement, P.EMPLOYER, "Директор Б.", START, t.rep, today=TODAY)
    assert signature.user == t.rep
    other = f.EmployerFactory(institution=t.institution)
    foreign = draft(t, employer=other)
    with pytest.raises(RuleViolation):
        agreements.sign(foreign, P.EMPLOYER, "Директор", START, t.rep, today=TODAY)
    assert agreements.allowed_steps(foreign, t.rep) == set()
    assert agreements.allowed_steps(agreement, t.rep, {P.EMPLOYER}) == {"edit"}


# ---------------------------------------------------------------------------- concurrency (PostgreSQL)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_additions_of_the_last_place_leave_one():
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("simultaneous requests are exercised on PostgreSQL (CI runs the suite there too)")
    t = college(students=4)
    agreement = draft(t, places=3)
    agreements.set_roster(agreement, t.students[:2], t.admin)
    barrier, outcomes = threading.Barrier(2), []

    def add(student):
        barrier.wait()
        try:
            outcomes.append(agreements.add_to_roster(A.objects.get(pk=agreement.pk), [student], t.admin))
        except (WblInvalid, RuleViolation) as refusal:
            outcomes.append(refusal)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(s,)) for s in t.students[2:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert AgreementRosterEntry.objects.filter(agreement=agreement).count() == 3
    assert sum(isinstance(o, WblInvalid) for o in outcomes) == 1


def test_an_agreement_past_its_last_day_is_not_amended_or_terminated_even_before_it_is_marked_expired():
    """On its last day (END) an agreement is still amended; the day after, the steps refuse it though no page has
    expired it yet, and nothing changes."""
    t = college()
    agreement = signed(t, draft(t))
    assert agreement.status == A.Status.ACTIVE and agreement.ends_on == END
    after = END + datetime.timedelta(days=1)
    before = snapshot(agreement)
    for step in (
        lambda: agreements.terminate(agreement, END, "Причина", t.admin, today=after),
        lambda: agreements.amend(agreement, END, END, "Изменение", {"places": 5}, t.admin, today=after),
    ):
        with pytest.raises(RuleViolation) as refused:
            step()
        assert "expired" in refused.value.message
        assert snapshot(agreement) == before
    agreements.amend(agreement, END, END, "Изменение", {"places": 5}, t.admin, today=END)
    agreement.refresh_from_db()
    assert agreement.places == 5
