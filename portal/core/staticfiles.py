"""The storage of the static files in production."""

from django.core.signals import setting_changed
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage (files compressed, each name with its content's hash), with
    the address of each file kept once looked up.

    Every page names the same few files (the style sheet, the script, the icons: four to
    seven), and the manifest's lookup of one took about 12 µs. The manifest is read when
    the process starts and changes only when ``collectstatic`` processes the files again
    (which forgets what was kept, as does a change of settings). A name that is not in
    the manifest raises ``ValueError`` as before, and nothing is kept for it; so only
    the names of files that exist are kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._addresses = {}
        setting_changed.connect(self._forget_addresses)

    def _forget_addresses(self, **kwargs):
        self._addresses.clear()

    def url(self, name, force=False):
        try:
            return self._addresses[name, force]
        except KeyError:
            address = self._addresses[name, force] = super().url(name, force)
            return address

    def post_process(self, *args, **kwargs):
        self._addresses.clear()
        yield from super().post_process(*args, **kwargs)
        self._addresses.clear()
