"""A write that fails half-way leaves nothing behind: no row, no file, no mail."""

import pytest
from django.db import IntegrityError

from conftest import stored_files
from portal.casework import services as casework
from portal.service import services
from portal.service.models import ServiceAttachment, ServiceMessage, ServiceRequest

from .helpers import file_request, png_file


def fail(*args, **kwargs):
    raise IntegrityError("the database refused the write")


@pytest.mark.django_db
class TestRollback:
    def test_failing_create_leaves_no_row_and_no_file(
        self, employee, locations, media_root, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
    ):
        monkeypatch.setattr(casework, "audit_record", fail)  # fails after the files were written
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(IntegrityError):
            file_request(employee, locations[0], files=[png_file(), png_file("b.png")])
        assert not ServiceRequest.objects.exists() and not ServiceAttachment.objects.exists()
        assert stored_files(media_root) == []
        assert mailoutbox == []

    def test_failing_attachment_row_removes_the_written_files(self, employee, locations, media_root, monkeypatch):
        monkeypatch.setattr(ServiceAttachment.objects, "bulk_create", fail)
        with pytest.raises(IntegrityError):
            file_request(employee, locations[0], files=[png_file()])
        assert not ServiceRequest.objects.exists() and stored_files(media_root) == []

    def test_failing_message_leaves_no_message_and_no_file(self, sr, employee, media_root, monkeypatch):
        monkeypatch.setattr(services, "_mail_customer_service", fail)
        with pytest.raises(IntegrityError):
            services.service_request_message_add(actor=employee, service_request=sr, body="Hallo", files=[png_file()])
        assert not ServiceMessage.objects.exists() and not ServiceAttachment.objects.exists()
        assert stored_files(media_root) == []

    def test_a_successful_write_keeps_its_files(self, employee, locations, media_root):
        sr = file_request(employee, locations[0], files=[png_file()])
        [path] = stored_files(media_root)
        assert sr.attachments.get().file.name == path.relative_to(media_root).as_posix()
