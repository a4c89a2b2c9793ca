"""What SCIM needs beside the account itself: the identity provider's own id of a user
(``externalId``), per organization."""

from django.db import models


class ExternalId(models.Model):
    membership = models.OneToOneField(
        "organizations.Membership", on_delete=models.CASCADE, related_name="scim_external_id"
    )
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "value"], name="scim_external_id_unique_per_organization")
        ]
