"""A student's transcript: modules, credits, hours, grades, practice with its place, GPA, qualifications awarded.

The page and the PDF read the same `build(student)`, a fixed number of queries for any record.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from kesip.curriculum import journal
from kesip.curriculum.models import AwardedQualification, Component, ComponentGrade, GradingScale, Module
from kesip.curriculum.rules import hours_per_credit, rulebook_for


@dataclass
class Line:
    component: Component
    grade: ComponentGrade | None
    band: object | None


@dataclass
class ModuleBlock:
    module: Module
    lines: list = field(default_factory=list)
    hours: int = 0
    credits: Decimal | None = None
    grade: Decimal | None = None
    complete: bool = False


@dataclass
class Transcript:
    student: object
    institution: object
    programme: object
    scale: object
    uses_credits: bool
    modules: list
    practice: list
    gpa_by_year: list
    gpa: Decimal | None
    awards: list
    hours_total: int
    hours_earned: int
    credits_total: Decimal | None
    credits_earned: Decimal | None


def build(student):
    group = student.group
    programme = group.programme if group else None
    institution = student.institution
    scale = journal.scale_for(institution)
    per_credit = hours_per_credit(rulebook_for(institution.jurisdiction))
    uses_credits = per_credit is not None
    grades = {g.component_id: g for g in ComponentGrade.objects.filter(student=student)}
    # A grade keeps the scale it was given on; scales are loaded once with their bands.
    scales = {scale.pk: scale}
    other = {g.scale_id for g in grades.values()} - set(scales)
    if other:
        scales.update({s.pk: s for s in GradingScale.objects.filter(pk__in=other).prefetch_related("bands")})
    modules = []
    if programme is not None:
        modules = list(
            Module.objects.filter(programme=programme)
            .prefetch_related(Prefetch("components", queryset=Component.objects.order_by("position", "pk")))
            .order_by("position", "pk")
        )
    blocks, practice = [], []
    hours_total = hours_earned = 0
    credits_total = credits_earned = Decimal(0)
    for m in modules:
        parts = list(m.components.all())
        block = ModuleBlock(m)
        for c in parts:
            g = grades.get(c.pk)
            band = scales[g.scale_id].band_for(g.value) if g else None
            line = Line(c, g, band)
            block.lines.append(line)
            block.hours += c.hours
            credits = c.credits if c.credits is not None else (Decimal(c.hours) / per_credit if per_credit else None)
            if credits is not None:
                block.credits = (block.credits or Decimal(0)) + credits
            if c.is_practice:
                practice.append(line)
            hours_total += c.hours
            credits_total += credits or 0
            if band is not None and band.passed:
                hours_earned += c.hours
                credits_earned += credits or 0
        block.grade, block.complete = journal.module_grade(parts, grades)
        blocks.append(block)
    by_year = journal.gpa_by_year([student], uses_credits).get(student.pk, {})
    awards = list(
        AwardedQualification.objects.filter(student=student).select_related("qualification", "exam").order_by("awarded_on")
    )
    return Transcript(
        student=student,
        institution=institution,
        programme=programme,
        scale=scale,
        uses_credits=uses_credits,
        modules=blocks,
        practice=practice,
        gpa_by_year=sorted((y, v) for y, v in by_year.items() if y is not None),
        gpa=by_year.get(None),
        awards=awards,
        hours_total=hours_total,
        hours_earned=hours_earned,
        credits_total=credits_total.quantize(Decimal("0.01")) if uses_credits else None,
        credits_earned=credits_earned.quantize(Decimal("0.01")) if uses_credits else None,
    )
