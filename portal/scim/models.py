"""What SCIM needs beside the account itself, per organization: the identity provider's
own id of a user (``externalId``), its ``userName`` when that is not the e-mail address,
and the given and family name it last sent (the account keeps one name; the parts let a
PATCH of one of them change the name without guessing the other)."""

from django.db import models


class ExternalId(models.Model):
    membership = models.OneToOneField("organizations.Membership", on_delete=models.CASCADE, related_name="scim_external_id")
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=200, blank=True, default="")
    user_name = models.CharField(max_length=254, blank=True, default="")
    given_name = models.CharField(max_length=150, blank=True, default="")
    family_name = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "value"], condition=~models.Q(value=""), name="scim_external_id_unique_per_organization"
            ),
            models.UniqueConstraint(
                fields=["organization", "user_name"],
                condition=~models.Q(user_name=""),
                name="scim_user_name_unique_per_organization",
            ),
        ]


class ScimSettings(models.Model):
    """What an organization chose for the accounts its identity provider creates
    (Accountbeheer → API-sleutels). Without a row: the defaults."""

    organization = models.OneToOneField("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    # A User created through SCIM is an active account without an invitation mail (its
    # owner sets a password with "Wachtwoord vergeten?"), instead of an invitation.
    create_active = models.BooleanField(default=False)
    changed_at = models.DateTimeField(auto_now=True)
