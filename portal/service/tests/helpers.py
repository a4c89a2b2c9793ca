"""Files of each kind and a quick way to file a request through the service."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from portal.service import services
from portal.service.models import Category


def png_bytes(size=(8, 8)):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "PNG")
    return out.getvalue()


def png_file(name="foto.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf_file(name="bon.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")


def text_as_png(name="virus.png"):
    return SimpleUploadedFile(name, b"dit is gewoon tekst, geen plaatje\n" * 10, content_type="image/png")


def file_request(actor, location, *, department=None, files=(), subject="Pinautomaat kassa 2 defect", **kwargs):
    return services.service_request_create(
        actor=actor,
        location=location,
        department=department or location.departments.first(),
        category=kwargs.pop("category", Category.TERMINAL),
        subject=subject,
        description=kwargs.pop("description", "Geeft sinds vanochtend geen verbinding."),
        files=list(files),
        **kwargs,
    )
