"""The Content Security Policy: on every page, strict, and no template needs more (the
browser suite checks that no page of a journey meets a violation)."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings

PORTAL = Path(__file__).resolve().parents[2]
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header):
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/inloggen/", "/veelgestelde-vragen/", "/sw.js", "/manifest.webmanifest", "/offline/", "/onbekend/"]
)
def test_every_answer_carries_the_policy(client, path):
    policy = directives(client.get(path)["Content-Security-Policy"])
    assert POLICY.items() <= policy.items()
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    assert "unsafe-inline" not in policy["style-src"]


@pytest.mark.django_db
def test_a_logged_in_page_carries_it_too(client, employee):
    client.force_login(employee)
    assert directives(client.get("/mijn-account/")["Content-Security-Policy"])["frame-ancestors"] == "'none'"


def templates():
    return sorted(PORTAL.rglob("templates/**/*.html"))


def test_no_template_has_inline_script_or_a_handler_attribute():
    for template in templates():
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            # A data block (JSON read by a script file) is not run, so CSP has no say in it.
            assert "src=" in tag or 'type="application/json"' in tag, (template, tag)
        assert not re.search(r"\son[a-z]+\s*=", text), template
        assert "javascript:" not in text, template
        assert not re.search(r"\sstyle\s*=", text), template


def test_each_inline_style_element_is_allowed_by_its_hash():
    """The 500 page stands alone (it must show when nothing else works): its style is
    inline, allowed by its hash; changing it means changing the hash in the settings."""
    allowed = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    found = 0
    for template in templates():
        for style in re.findall(r"<style>(.*?)</style>", template.read_text(), re.S):
            digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in allowed, template
            found += 1
    assert found == 1
