"""The FAQ's answers link to pages by URL name (``[Contact](support:contact)``). The
pages of change requests, contact and the FAQ now have the URL names of their own apps
(the addresses stay the same), so stored answers and introductions are rewritten."""

import re

from django.db import migrations

RENAMED = {
    "support:change_create": "changes:create",
    "support:change_detail": "changes:detail",
    "support:change_list": "changes:list",
    "support:change_apply": "changes:apply",
    "support:change_withdraw": "changes:withdraw",
    "support:contact": "contact:form",
    "support:contact_sent": "contact:sent",
    "support:contact_list": "contact:list",
    "support:contact_detail": "contact:detail",
    "support:contact_attachment": "contact:attachment",
    "support:faq": "help:faq",
    "support:faq_search": "help:faq_search",
    "support:faq_topic": "help:faq_topic",
    "support:faq_question": "help:faq_question",
    "support:shortcut": "help:shortcut",
    "support:manual": "help:manual",
}
TARGET = re.compile(r"\]\(([a-z_]+:[a-z_]+)([ )])")


def rename_links(text, names=RENAMED):
    return TARGET.sub(lambda m: f"]({names.get(m[1], m[1])}{m[2]}", text)


def relink(apps, schema_editor=None, names=RENAMED):
    """Rewrite the link targets of every stored answer and introduction."""
    for model, fields in (("FaqTopic", ("intro",)), ("FaqQuestion", ("answer",))):
        Model = apps.get_model("help", model)
        for row in Model.objects.all():
            changed = [field for field in fields if rename_links(getattr(row, field), names) != getattr(row, field)]
            for field in changed:
                setattr(row, field, rename_links(getattr(row, field), names))
            if changed:
                row.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("help", "0001_initial")]

    operations = [migrations.RunPython(relink, migrations.RunPython.noop)]
