"""The models of this app moved to changes, contact and help, which keep its tables:
here they leave only Django's state; the database is not touched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0006_reference_counter"),
        ("changes", "0001_initial"),
        ("contact", "0001_initial"),
        ("help", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="changerequestmessage",
                    name="change_request",
                ),
                migrations.RemoveField(
                    model_name="changerequestmessage",
                    name="author",
                ),
                migrations.RemoveField(
                    model_name="contactmessage",
                    name="assigned_to",
                ),
                migrations.RemoveField(
                    model_name="contactmessage",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="contactmessage",
                    name="organization",
                ),
                migrations.RemoveField(
                    model_name="contactreply",
                    name="contact_message",
                ),
                migrations.RemoveField(
                    model_name="contactreply",
                    name="author",
                ),
                migrations.RemoveField(
                    model_name="faqquestion",
                    name="topic",
                ),
                migrations.DeleteModel(
                    name="ChangeRequest",
                ),
                migrations.DeleteModel(
                    name="ChangeRequestMessage",
                ),
                migrations.DeleteModel(
                    name="ContactMessage",
                ),
                migrations.DeleteModel(
                    name="ContactReply",
                ),
                migrations.DeleteModel(
                    name="FaqQuestion",
                ),
                migrations.DeleteModel(
                    name="FaqTopic",
                ),
            ],
        ),
    ]
