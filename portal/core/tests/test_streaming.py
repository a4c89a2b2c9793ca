from django.utils import translation
from django.utils.translation import gettext

from portal.core.streaming import in_language


def test_each_chunk_is_made_in_the_language_given_and_only_then():
    def chunks():
        yield translation.get_language()
        yield gettext("ja")

    with translation.override("en"):
        made = in_language(chunks())
    with translation.override("nl"):
        assert next(made) == "en"
        assert translation.get_language() == "nl"  # between chunks, what was active
        assert list(made) == ["yes"]


def test_the_language_active_now_by_default():
    with translation.override("en"):
        made = in_language(iter([1]))
    with translation.override("nl"):
        assert list(made) == [1]
    with translation.override("en"):
        made = in_language(translation.get_language() for _ in range(1))
    assert list(made) == ["en"]
