"""The abstract models of a case: a request that customer service handles, with a
status, a handler and a thread of messages. Each kind (``service.ServiceRequest``,
``changes.ChangeRequest``, ``contact.ContactMessage``) builds on ``Case`` and its thread
on ``CaseMessage``; a kind overrides a field where its wording differs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def handler_field(related_name):
    """A case's handler at customer service (``assigned_to``): a staff account, or nobody.
    Declared here once for every kind; each kind names its own reverse accessor, which its
    migrations hold (an abstract field could only derive it from the class name)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        limit_choices_to={"is_staff": True},
        verbose_name=_("behandelaar"),
    )


class Case(models.Model):
    """A request customer service handles. A kind sets ``CLOSED_STATUSES``: the
    statuses in which it is finished (``closed_at`` is set then, and only then)."""

    CLOSED_STATUSES = ()

    updated_at = models.DateTimeField(_("laatst bijgewerkt"), auto_now=True)
    closed_at = models.DateTimeField(_("gesloten op"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_open(self):
        return self.status not in self.CLOSED_STATUSES


class CaseMessage(models.Model):
    """One message in a case's thread: from the customer, or from customer service
    (``from_staff``). A kind adds the foreign key to its case."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("door"))
    from_staff = models.BooleanField(_("van de klantenservice"), default=False)
    body = models.TextField(_("bericht"), max_length=5000)
    created_at = models.DateTimeField(_("geplaatst op"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]
