"""The FAQ's content came with data migrations of the app "support", written when its
models were "support"'s; these let a test run them again on the models of "help"."""

from django.apps import apps


class HelpApps:
    """An app registry as a data migration of "support" asks it for the FAQ's models."""

    def get_model(self, app_label, model_name):
        return apps.get_model("help" if app_label == "support" else app_label, model_name)


def faq_content_added():
    """The FAQ as the migrations leave it: the content of support 0003, with the link
    targets of help 0002."""
    from importlib import import_module

    import_module("portal.support.migrations.0003_faq_content").add(HelpApps(), None)
    import_module("portal.help.migrations.0002_link_targets").relink(apps)


def link_targets_as_support_had_them():
    """The stored FAQ with the URL names of before help 0002 (to run an older data
    migration of "support" on it again); ``faq_link_targets_renamed`` undoes it."""
    from importlib import import_module

    relinking = import_module("portal.help.migrations.0002_link_targets")
    relinking.relink(apps, names={new: old for old, new in relinking.RENAMED.items()})


def faq_link_targets_renamed():
    from importlib import import_module

    import_module("portal.help.migrations.0002_link_targets").relink(apps)
