"""An issued official document: the original file as first printed once the record became final.

An order is final when it is signed, an agreement when all parties have signed, an annual report
when it is agreed, a diary, a review and a characterisation when the placement is closed. From
then on every download of that document, in that language and format, is the stored original, and
anyone holding a copy can check it against the SHA-256 kept here.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kesip.core.models import InstitutionScoped


class IssuedDocument(InstitutionScoped):
    class Kind(models.TextChoices):
        ORDER = "order", _("Order")
        AGREEMENT = "agreement", _("Agreement")
        REPORT = "report", _("Annual WBL report")
        DIARY = "diary", _("Diary")
        REVIEW = "review", _("Mentor's review")
        CHARACTERISATION = "characterisation", _("Characterisation")

    kind = models.CharField(_("document"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    number = models.CharField(_("number"), max_length=64, blank=True)
    revision = models.CharField(
        _("revision"), max_length=16, blank=True, help_text=_("Which state of the record, e.g. the number of amendments.")
    )
    language = models.CharField(_("language"), max_length=2)
    fmt = models.CharField(_("format"), max_length=4)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to="documents/%Y/")
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size, bytes"))
    issued_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("first printed by")
    )

    access_area = "wbl"

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["institution", "kind", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "revision", "language", "fmt"], name="issued_document_one_original"
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.language}, {self.fmt.upper()})"

    def get_absolute_url(self):
        return reverse("documents:file", args=[self.pk])
