"""Uploaded attachments: checked by their content, stored under a random name, served
only as a download.

What a user may upload: PNG, JPEG, GIF and WebP images (opened and verified with
Pillow, as Django's ImageField does, so the real format counts, never the file name or
the content type the browser sends) and PDF files (the content starts with ``%PDF-``).
At most ``ATTACHMENT_MAX_FILES`` files of at most ``ATTACHMENT_MAX_BYTES`` each.

``AttachmentsField`` is the form field; ``detect_type`` the check behind it;
``attachment_response`` serves a stored file. The caller checks that the user may see
the object the file belongs to (``get_visible_or_404``) before calling it.
"""

import logging
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Pillow's format name -> (content type, extension)
IMAGE_TYPES = {
    "PNG": ("image/png", ".png"),
    "JPEG": ("image/jpeg", ".jpg"),
    "GIF": ("image/gif", ".gif"),
    "WEBP": ("image/webp", ".webp"),
}
PDF_TYPE = ("application/pdf", ".pdf")
ACCEPT = ",".join([*(t for t, _e in IMAGE_TYPES.values()), PDF_TYPE[0], ".png,.jpg,.jpeg,.gif,.webp,.pdf"])
FILENAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, with what was found out about it."""

    file: object  # the UploadedFile
    name: str  # the original name, without any folder, shortened
    content_type: str  # as detected from the content
    extension: str
    size: int


def clean_filename(name):
    """The last part of a name a browser sent, without control characters, shortened."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "bijlage"
    if len(name) > FILENAME_MAX_LENGTH:
        stem, ext = os.path.splitext(name)
        name = stem[: FILENAME_MAX_LENGTH - len(ext[:10])] + ext[:10]
    return name


def _image_type(upload):
    from PIL import Image

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()  # a truncated or corrupt file fails here
    except Exception:  # noqa: BLE001 - Pillow raises many kinds; all mean "not an image we take"
        return None
    finally:
        upload.seek(0)
    return IMAGE_TYPES.get(kind)


def detect_type(upload):
    """(content type, extension) of an accepted file, or None."""
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return PDF_TYPE
    return _image_type(upload)


def check_file(upload):
    """A ``CheckedFile``, or a ``ValidationError`` naming the file (codes ``file_too_large``
    and ``file_type``)."""
    name = clean_filename(upload.name)
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is te groot (%(size)s). Een bijlage mag ten hoogste %(max)s zijn."),
            code="file_too_large",
            params={"name": name, "size": filesizeformat(upload.size), "max": filesizeformat(settings.ATTACHMENT_MAX_BYTES)},
        )
    found = detect_type(upload)
    if found is None:
        raise ValidationError(
            _(
                "%(name)s is geen afbeelding (PNG, JPEG, GIF of WebP) of PDF-bestand. Alleen die soorten bestanden kun je toevoegen."
            ),
            code="file_type",
            params={"name": name},
        )
    content_type, extension = found
    # The name a download gets ends in what the content is, whatever the sender called it
    # (a PDF named "factuur.bat" is kept as "factuur.pdf").
    stem = (os.path.splitext(name)[0] or "bijlage")[: FILENAME_MAX_LENGTH - len(extension)]
    name = stem + extension
    return CheckedFile(file=upload, name=name, content_type=content_type, extension=extension, size=upload.size)


def check_files(uploads):
    """All files checked; every refused file gets its own error, and too many files is
    refused before any is opened (code ``too_many_files``)."""
    uploads = [u for u in uploads if u]
    if len(uploads) > settings.ATTACHMENT_MAX_FILES:
        raise ValidationError(
            _("Je kunt ten hoogste %(max)d bijlagen tegelijk toevoegen; je koos er %(count)d."),
            code="too_many_files",
            params={"max": settings.ATTACHMENT_MAX_FILES, "count": len(uploads)},
        )
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(check_file(upload))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return checked


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _attachments_help():
    return gettext("Foto's (PNG, JPEG, GIF, WebP) of PDF-bestanden, ten hoogste %(count)d, elk ten hoogste %(size)s.") % {
        "count": settings.ATTACHMENT_MAX_FILES,
        "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
    }


_help_text = lazy(_attachments_help, str)


class AttachmentsField(forms.FileField):
    """Several files in one input; ``cleaned_data`` holds a list of ``CheckedFile``."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Bijlagen"))
        kwargs.setdefault("help_text", _help_text())
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ACCEPT)

    def clean(self, data, initial=None):
        if not data:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        uploads = data if isinstance(data, (list, tuple)) else [data]
        uploads = [super(AttachmentsField, self).clean(upload, initial) for upload in uploads]
        return check_files(uploads)


def stored_name(folder, extension):
    """A random name under ``folder``: nothing of what the user typed ends up in a path."""
    return f"{folder}/{uuid.uuid4().hex}{extension}"


@contextmanager
def files_removed_on_failure():
    """Yields a list to put the names of stored files in; if the block fails (the
    transaction inside it rolls back), those files are removed again, so no file is
    left without its row."""
    written = []
    try:
        yield written
    except BaseException:
        for name in written:
            try:
                default_storage.delete(name)
            except OSError:  # log the name only (random, nothing personal)
                logger.warning("could not remove attachment file %s after a failed write", name)
        raise


def attachment_response(field_file, *, filename, content_type):
    """A stored file as a download: never shown inline, the browser must not guess its type."""
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def max_body_size(limit, explain=None):
    """Marks a view that accepts a request body up to ``limit()`` bytes (a callable, so
    that settings are read per request); ``RequestBodyLimitMiddleware`` enforces it and
    tells the user ``explain(limit)``."""

    def decorator(view):
        view.max_body_size = limit
        view.max_body_explained = explain
        return view

    return decorator


def _too_large(limit):
    return gettext("Wat je verstuurde is te groot: ten hoogste %(max)s. Ga terug en kies een kleiner bestand.") % {
        "max": filesizeformat(limit)
    }


def _too_many_or_too_large_attachments(limit):
    return gettext(
        "Wat je verstuurde is te groot: ten hoogste %(files)s bijlagen van elk %(max)s. Ga terug en kies kleinere of minder bestanden."
    ) % {"files": settings.ATTACHMENT_MAX_FILES, "max": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}


def _too_large_attachment(limit):
    return gettext(
        "Wat je verstuurde is te groot: een bijlage mag ten hoogste %(max)s zijn. Ga terug en kies een kleiner bestand."
    ) % {"max": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}


# Room for the form's text beside the files.
FORM_TEXT_BYTES = 2**20

# The views that take attachments (service requests and their messages): every allowed
# file at its largest; a contact message: one.
upload_size_limited = max_body_size(
    lambda: settings.ATTACHMENT_MAX_FILES * settings.ATTACHMENT_MAX_BYTES + FORM_TEXT_BYTES,
    _too_many_or_too_large_attachments,
)
one_upload_size_limited = max_body_size(lambda: settings.ATTACHMENT_MAX_BYTES + FORM_TEXT_BYTES, _too_large_attachment)


class RequestBodyLimitMiddleware:
    """Refuses a request body larger than its view accepts, before anything reads it.

    Django parses a multipart body as soon as something reads ``request.POST``, and the
    CSRF check does that for every POST before the view runs, writing files to disk on
    the way; the file checks come after that, so a huge upload would fill the disk
    first. This middleware stands before ``CsrfViewMiddleware``: its ``process_view``
    runs first. A view marked with ``max_body_size`` accepts what it says; any other
    view ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        marked = getattr(view_func, "max_body_size", None)
        limit = marked() if marked else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= limit:
            return None
        explain = getattr(view_func, "max_body_explained", None) or _too_large
        message = explain(limit)
        return render(request, "core/upload_too_large.html", {"message": message}, status=413)
