"""The production storage of the static files keeps each file's address
(core.staticfiles)."""

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

from portal.core.staticfiles import StaticFilesStorage


def _processed(storage, content):
    """The file portal/a.css with ``content``, processed as collectstatic does."""
    if storage.exists("portal/a.css"):
        storage.delete("portal/a.css")
    storage.save("portal/a.css", ContentFile(content))
    list(storage.post_process({"portal/a.css": (storage, "portal/a.css")}))


@pytest.fixture
def storage(tmp_path):
    return StaticFilesStorage(location=tmp_path, base_url="/static/")


def test_an_address_is_looked_up_in_the_manifest_once(storage, monkeypatch):
    _processed(storage, b"body { color: black }")
    looked_up = []
    real = storage.stored_name
    monkeypatch.setattr(storage, "stored_name", lambda name: looked_up.append(name) or real(name))
    first = storage.url("portal/a.css")
    assert first.startswith("/static/portal/a.") and first.endswith(".css") and first != "/static/portal/a.css"
    assert storage.url("portal/a.css") == first
    assert looked_up == ["portal/a.css"]


def test_a_file_not_in_the_manifest_raises_every_time_and_nothing_is_kept(storage):
    _processed(storage, b"body { color: black }")
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("portal/weg.css")
    assert ("portal/weg.css", False) not in storage._addresses


def test_processing_the_files_again_gives_the_new_address(storage):
    _processed(storage, b"body { color: black }")
    before = storage.url("portal/a.css")
    _processed(storage, b"body { color: navy }")
    after = storage.url("portal/a.css")
    assert after != before and after == StaticFilesStorage(location=storage.location, base_url="/static/").url("portal/a.css")


def test_a_change_of_settings_forgets_the_addresses(storage):
    _processed(storage, b"body { color: black }")
    hashed = storage.url("portal/a.css")
    with override_settings(DEBUG=True):  # Django's storage gives the plain name in DEBUG
        assert storage.url("portal/a.css") == "/static/portal/a.css"
    assert storage.url("portal/a.css") == hashed
