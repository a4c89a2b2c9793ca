"""The shared attachment checks: the content decides, never the name or the browser's type."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import Form

from portal.core.uploads import AttachmentsField, check_files, clean_filename, detect_type


def image(fmt, name="bestand.bin"):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


class AttachmentsForm(Form):
    attachments = AttachmentsField()


@pytest.mark.parametrize(
    "fmt, content_type", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")]
)
def test_images_are_recognised_by_content(fmt, content_type):
    assert detect_type(image(fmt))[0] == content_type


def test_pdf_is_recognised_by_its_header():
    assert detect_type(SimpleUploadedFile("x.txt", b"%PDF-1.7\n...")) == ("application/pdf", ".pdf")


@pytest.mark.parametrize(
    "content",
    [b"just text", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"MZ\x90\x00", b"", b"%PD"],
    ids=["text", "svg", "exe", "empty", "short"],
)
def test_anything_else_is_not_recognised(content):
    assert detect_type(SimpleUploadedFile("x.png", content)) is None


def test_a_truncated_png_is_refused():
    png = image("PNG").read()
    assert detect_type(SimpleUploadedFile("x.png", png[: len(png) // 2])) is None


def test_other_image_formats_are_refused():
    assert detect_type(image("BMP")) is None
    assert detect_type(image("TIFF")) is None


def test_each_refused_file_gets_its_own_error_with_its_name():
    with pytest.raises(ValidationError) as error:
        check_files([image("PNG", "goed.png"), SimpleUploadedFile("a.png", b"x"), SimpleUploadedFile("b.exe", b"MZ")])
    messages = [str(e.message % e.params) for e in error.value.error_list]
    assert [e.code for e in error.value.error_list] == ["file_type", "file_type"]
    assert "a.png" in messages[0] and "b.exe" in messages[1]


def test_limits(settings):
    settings.ATTACHMENT_MAX_FILES = 1
    with pytest.raises(ValidationError) as error:
        check_files([image("PNG"), image("PNG")])
    assert error.value.error_list[0].code == "too_many_files"
    settings.ATTACHMENT_MAX_FILES, settings.ATTACHMENT_MAX_BYTES = 5, 10
    with pytest.raises(ValidationError) as error:
        check_files([image("PNG")])
    assert error.value.error_list[0].code == "file_too_large"


def test_form_field_gives_checked_files_and_is_optional():
    form = AttachmentsForm(data={}, files={})
    assert form.is_valid() and form.cleaned_data["attachments"] == []
    from django.utils.datastructures import MultiValueDict

    form = AttachmentsForm(data={}, files=MultiValueDict({"attachments": [image("PNG", "a.png"), image("GIF", "b.gif")]}))
    assert form.is_valid(), form.errors
    assert [(f.name, f.content_type, f.extension) for f in form.cleaned_data["attachments"]] == [
        ("a.png", "image/png", ".png"),
        ("b.gif", "image/gif", ".gif"),
    ]
    assert "multiple" in str(form["attachments"]) and 'accept="image/png' in str(form["attachments"])


def test_file_names_lose_folders_and_control_characters():
    assert clean_filename("C:\\Users\\x\\foto.png") == "foto.png"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("a\x00b\nc.pdf") == "abc.pdf"
    assert clean_filename("") == "bijlage"
    assert len(clean_filename("x" * 500 + ".pdf")) == 200 and clean_filename("x" * 500 + ".pdf").endswith(".pdf")


@pytest.mark.parametrize("name", ["x" * 250, "y" * 199, "\u0130" * 300, "z" * 198 + ".exe"])
def test_the_name_with_the_contents_extension_fits_its_column(name):
    """A long name without the extension of its content gets that extension added: it
    must still fit the 200 characters of the column (a 500 on PostgreSQL)."""
    from portal.core.uploads import FILENAME_MAX_LENGTH, check_file

    checked = check_file(SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n"))
    assert len(checked.name) <= FILENAME_MAX_LENGTH and checked.name.endswith(".pdf")
