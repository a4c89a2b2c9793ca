"""Responses sent as they are made (downloads, long printable pages)."""

from django.utils import translation


def in_language(chunks, language=None):
    """``chunks`` made in ``language`` (by default the one active now, the request's),
    however late the server reads them: a streamed response's body is made after the
    view has returned, when nothing promises that the request's language is still the
    active one. Each chunk is made with the language active, and only then."""
    language = language or translation.get_language()  # now, not when the first chunk is read

    def made():
        remaining = iter(chunks)
        while True:
            with translation.override(language):
                try:
                    chunk = next(remaining)
                except StopIteration:
                    return
            yield chunk

    return made()
