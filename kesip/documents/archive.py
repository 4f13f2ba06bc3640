"""Keeping the original of an issued document and answering it again, byte for byte.

`serve(request, keep, make)` is what a document view calls for a record that may be final:
`keep` says which record and document it is (or is None while the record is still a draft);
`make(fmt, language)` prints the file. The first print of a final record is stored with its
SHA-256; later downloads answer the stored file, so what was signed stays what is shown even if
names or settings change afterwards.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import HttpResponse

from kesip.documents.models import IssuedDocument

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class Keep:
    """The final record a document belongs to, and how the archive names it."""

    subject: object
    kind: str
    title: str
    number: str = ""
    revision: str = ""


def sha256(data):
    import hashlib

    return hashlib.sha256(data).hexdigest()


def original(keep, language, fmt):
    ct = ContentType.objects.get_for_model(type(keep.subject))
    return IssuedDocument.objects.filter(
        content_type=ct, object_id=keep.subject.pk, kind=keep.kind, revision=keep.revision, language=language, fmt=fmt
    ).first()


def store(keep, language, fmt, data, user=None):
    """Keep `data` as the original; if another request kept one first, that one stands and is returned."""
    ct = ContentType.objects.get_for_model(type(keep.subject))
    doc = IssuedDocument(
        institution_id=keep.subject.institution_id,
        kind=keep.kind,
        title=str(keep.title)[:255],
        number=str(keep.number or "")[:64],
        revision=keep.revision,
        language=language,
        fmt=fmt,
        content_type=ct,
        object_id=keep.subject.pk,
        sha256=sha256(data),
        size=len(data),
        issued_by=user if getattr(user, "pk", None) else None,
    )
    suffix = f"-{keep.revision}" if keep.revision else ""
    doc.file.save(f"{keep.kind}-{keep.subject.pk}{suffix}-{language}.{fmt}", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            doc.save()
    except IntegrityError:
        doc.file.delete(save=False)
        return original(keep, language, fmt)
    return doc


def read(doc):
    with doc.file.open("rb") as f:
        return f.read()


def response(data, fmt, filename, digest=None):
    answer = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    answer["Content-Disposition"] = f'inline; filename="{filename}.{fmt}"'
    answer["X-Document-SHA256"] = digest or sha256(data)
    return answer


def serve(request, keep, make, fmt, language, filename):
    """The stored original when there is one, else a fresh print, kept first when the record is final."""
    if keep is None:
        return response(make(fmt, language), fmt, filename)
    doc = original(keep, language, fmt)
    if doc is None:
        doc = store(keep, language, fmt, make(fmt, language), request.user)
    answer = response(read(doc), fmt, filename, doc.sha256)
    answer["X-Document-Original"] = "1"
    return answer


def find(digest):
    """The issued document with this SHA-256, if Kesip issued one."""
    digest = (digest or "").strip().lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        return None
    return IssuedDocument.objects.select_related("institution").filter(sha256=digest).first()
