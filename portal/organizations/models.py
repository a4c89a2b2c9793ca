from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import ScopedQuerySet, membership_of
from portal.locations.models import LocationLink


class Organization(models.Model):
    """A business customer of HartingBank."""

    name = models.CharField(_("naam"), max_length=200)
    customer_number = models.CharField(_("klantnummer"), max_length=20, unique=True)
    portal_access = models.BooleanField(_("toegang tot Mijn HartingBank"), default=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accountmanager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_organizations",
        limit_choices_to={"is_staff": True},
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    # Two-step login required by an administrator: since when, and from when on nobody
    # gets further without it (the grace period in between). Both empty: not required.
    mfa_required_at = models.DateTimeField(_("tweestapsverificatie verplicht sinds"), null=True, blank=True)
    mfa_deadline = models.DateTimeField(_("tweestapsverificatie ingesteld uiterlijk"), null=True, blank=True)
    # Accounts without a login for this many days are flagged in Accountbeheer and their
    # owner is warned; still unused ``dormancy_grace_days`` later they are deactivated
    # (an administrator is only flagged). Empty: off.
    dormancy_days = models.PositiveSmallIntegerField(_("inactief na (dagen)"), null=True, blank=True)
    dormancy_grace_days = models.PositiveSmallIntegerField(_("gedeactiveerd na nog (dagen)"), default=30)
    # Vier ogen: making someone an administrator, and raising an order limit above
    # ``four_eyes_amount`` (or to no limit), wait for a second administrator's approval.
    four_eyes = models.BooleanField(_("vier ogen"), default=False)
    four_eyes_amount = models.DecimalField(
        _("vier ogen voor een bestellimiet boven (excl. btw)"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(four_eyes=False) | models.Q(four_eyes_amount__gte=0), name="organization_four_eyes_amount"
            ),
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    EMPLOYEE = "employee", _("Medewerker")


class Status(models.TextChoices):
    INVITED = "invited", _("Uitgenodigd")
    ACTIVE = "active", _("Actief")
    DEACTIVATED = "deactivated", _("Gedeactiveerd")
    DELETED = "deleted", _("Verwijderd")


def effective_status(status, deactivated_until, today=None) -> str:
    """The status as it is today: a deactivation with an end date that has come counts
    as active, even before the stored status is brought up to date."""
    if status == Status.DEACTIVATED and deactivated_until is not None:
        if deactivated_until <= (today or timezone.localdate()):
            return Status.ACTIVE
    return status


def deactivated_today():
    """The condition of an account that is deactivated today (``effective_status``):
    deactivated, and not until a date that has come."""
    return models.Q(status=Status.DEACTIVATED) & ~models.Q(deactivated_until__lte=timezone.localdate())


class _NotFromAnIndex(models.Func):
    """A column that SQLite's planner is not to look up in an index: with a unary +, its
    documented way to say so. Other databases get the column as it is."""

    template = "%(expressions)s"
    output_field = models.IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


class MembershipQuerySet(ScopedQuerySet):
    def visible_to(self, user, *, by_account=False):
        """An administrator sees the accounts of their organization (deleted ones are
        gone); anyone else only their own account.

        ``by_account``: for a list in the accounts' own order (by id) or on their own
        conditions (the API, SCIM). Both the account's and its user's organization must
        match (fail closed), and SQLite's planner, given the second in the index of the
        users' organization, started there: with 100,000 accounts it read all of them and
        sorted them by id for a page of 50 (250 ms; 0.1 from the accounts' own index)."""
        membership = membership_of(user)
        if membership is None:
            return self.none()
        if membership.is_active_administrator:
            organization_id = membership.organization_id
            # Both the membership's and the user's organization must match (fail closed).
            if by_account:
                accounts = self.alias(_user_organization=_NotFromAnIndex("user__organization_id"))
                accounts = accounts.filter(organization_id=organization_id, _user_organization=organization_id)
            else:
                accounts = self.filter(organization_id=organization_id, user__organization_id=organization_id)
            return accounts.exclude(status=Status.DELETED)
        return self.filter(pk=membership.pk)

    def manageable_by(self, user):
        """The accounts ``user`` manages in Accountbeheer. An active administrator: every
        account of the organization (deleted ones are gone). An active location manager:
        the employees (never an administrator, never themselves, another location manager
        or an approver) who work for at least one location they manage and for none they
        do not. Anyone else: none."""
        membership = membership_of(user)
        if membership is None or membership.effective_status != Status.ACTIVE:
            return self.none()
        if membership.is_administrator:
            return self.visible_to(user)
        if not membership.manages_locations:
            return self.none()
        managed = LocationLink.objects.filter(membership=membership, manages=True).values("location_id")
        links = LocationLink.objects.filter(membership=models.OuterRef("pk"))
        organization_id = membership.organization_id
        return (
            self.filter(organization_id=organization_id, user__organization_id=organization_id, role=Role.EMPLOYEE)
            .exclude(status=Status.DELETED)
            .exclude(pk=membership.pk)
            .exclude(manages_locations=True)
            .exclude(approves_orders=True)
            .filter(models.Exists(links.filter(location_id__in=managed)))
            .exclude(models.Exists(links.exclude(location_id__in=managed)))
        )

    def active_administrators(self, organization_id):
        """The organization's administrators who are active today: those who can log in, so
        not an account of an address in use elsewhere (``User.email_elsewhere``), which never
        does, whatever its role."""
        return self.filter(
            organization_id=organization_id, role=Role.ADMINISTRATOR, user__email_elsewhere=False
        ).effectively_active()

    def effectively_active(self):
        """Active, or deactivated until a date that has come."""
        return self.filter(
            models.Q(status=Status.ACTIVE) | models.Q(status=Status.DEACTIVATED, deactivated_until__lte=timezone.localdate())
        )


class Membership(models.Model):
    """The account of one person at one customer organization: role, rights, status."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="membership",
        verbose_name=_("gebruiker"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisatie"),
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices, default=Role.EMPLOYEE)
    may_use_portal = models.BooleanField(_("mag zaken regelen op de portal"), default=True)
    may_order = models.BooleanField(_("mag bestellen"), default=False)
    # An order above this amount (excluding VAT) waits for an administrator's approval;
    # empty means no limit.
    order_limit = models.DecimalField(_("bestellimiet (excl. btw)"), max_digits=10, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.INVITED)
    deactivated_until = models.DateField(_("gedeactiveerd tot"), null=True, blank=True)
    # Whether any linked location is managed (location manager) or approved for
    # (approver): kept in step with the links by the services that write them, so that
    # the menu and the permission checks of every page need no extra query.
    manages_locations = models.BooleanField(_("locatiebeheerder"), default=False)
    approves_orders = models.BooleanField(_("goedkeurder"), default=False)
    # Raised by every change, so that two administrators editing the same account
    # cannot overwrite each other silently.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)
    # Uit dienst per: on this date the daily job deactivates the account (left_at: when
    # it did). When it could not (the last active administrator) it told the
    # administrators once (leave_blocked_at) and tries again the next day.
    leaves_on = models.DateField(_("uit dienst per"), null=True, blank=True)
    left_at = models.DateTimeField(_("uit dienst verwerkt op"), null=True, blank=True)
    leave_blocked_at = models.DateTimeField(null=True, blank=True)
    # Not used for the organization's dormancy_days: when its owner was warned, and the
    # date named in the warning on which it is deactivated (none for an administrator).
    dormancy_warned_at = models.DateTimeField(_("gewaarschuwd wegens inactiviteit op"), null=True, blank=True)
    dormancy_deadline = models.DateField(_("gedeactiveerd wegens inactiviteit op"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="membership_status_valid"),
            models.CheckConstraint(
                condition=models.Q(order_limit__isnull=True) | models.Q(order_limit__gte=0),
                name="membership_order_limit_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(deactivated_until__isnull=True) | models.Q(status=Status.DEACTIVATED),
                name="membership_until_only_when_deactivated",
            ),
            models.CheckConstraint(
                condition=models.Q(dormancy_deadline__isnull=True) | models.Q(dormancy_warned_at__isnull=False),
                name="membership_dormancy_deadline_only_when_warned",
            ),
            # A leave is processed (or blocked) only for a leave date: which lets the
            # notice of leavers read the index below instead of every account.
            models.CheckConstraint(
                condition=models.Q(leaves_on__isnull=False) | models.Q(left_at__isnull=True, leave_blocked_at__isnull=True),
                name="membership_left_only_with_leave_date",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="membership_org_status"),
            models.Index(fields=["organization", "role"], name="membership_org_role"),
            # The few accounts with a leave date: the leavers' notice on Accountbeheer and
            # its filter "Uit dienst" read them here, not among all of the organization's.
            models.Index(
                fields=["organization", "leaves_on"], condition=models.Q(leaves_on__isnull=False), name="membership_org_leaving"
            ),
            # The few accounts warned as unused: the filter "Niet gebruikt" and the page
            # Inactief en uit dienst read them here (dormancy.flagged).
            models.Index(
                fields=["organization", "dormancy_warned_at"],
                condition=models.Q(dormancy_warned_at__isnull=False),
                name="membership_org_warned",
            ),
            # The few accounts deactivated until a date: those back within a week on an
            # administrator's home page, and the daily job that reactivates them.
            models.Index(
                fields=["organization", "deactivated_until"],
                condition=models.Q(deactivated_until__isnull=False),
                name="membership_org_until",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.organization})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.user.organization_id != self.organization_id:
            type(self.user).objects.filter(pk=self.user_id).update(organization_id=self.organization_id)
            self.user.organization_id = self.organization_id

    @property
    def effective_status(self) -> str:
        return effective_status(self.status, self.deactivated_until)

    def get_effective_status_display(self):
        return Status(self.effective_status).label

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    @property
    def is_active_administrator(self) -> bool:
        return self.is_administrator and self.effective_status == Status.ACTIVE

    @property
    def is_flagged_dormant(self) -> bool:
        """Warned as unused, and not logged in since (the next run of the job clears it)."""
        last_login = self.user.last_login
        return self.dormancy_warned_at is not None and (last_login is None or last_login < self.dormancy_warned_at)

    @property
    def is_active_location_manager(self) -> bool:
        """Manages the accounts of one or more of its locations (an administrator manages all)."""
        return self.manages_locations and not self.is_administrator and self.effective_status == Status.ACTIVE

    @property
    def is_active_approver(self) -> bool:
        """Approves the orders of one or more of its locations up to an amount."""
        return self.approves_orders and not self.is_administrator and self.effective_status == Status.ACTIVE


class SingleUseLink(models.Model):
    """What a link in a mail carries: only a hash of its token is stored (the token is
    only in the mail), it expires, and it can be revoked by a newer one."""

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither used nor replaced by a newer one (it may have expired)."""
        return self.filter(used_at__isnull=True, revoked_at__isnull=True)

    def valid(self, now=None):
        """Open and not expired: the link still works."""
        return self.open().filter(expires_at__gt=now or timezone.now())


class Invitation(SingleUseLink):
    """A link with which an invited person chooses a password."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="invitations")
    used_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="invitation_used_or_revoked_not_both",
            ),
        ]


class ImportBatchQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.of_administered_organization(user)


class ImportBatch(models.Model):
    """An uploaded CSV file of new accounts: checked, previewed, then run or cancelled."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Wacht op bevestiging")
        CANCELLED = "cancelled", _("Geannuleerd")
        RUNNING = "running", _("Bezig")
        DONE = "done", _("Klaar")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEW)
    # [{"line": 2, "data": {...}, "errors": ["..."]}, ...]
    rows = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)  # rows without errors, to be created
    processed = models.PositiveIntegerField(default=0)
    # [{"line": 2, "ok": true, "message": "..."}, ...]
    results = models.JSONField(default=list)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["preview", "cancelled", "running", "done"]),
                name="import_status_valid",
            ),
        ]

    @property
    def percent(self):
        return 100 if not self.total else round(100 * self.processed / self.total)

    @property
    def rows_with_errors(self):
        return [row for row in self.rows if row["errors"]]


class EmailChange(SingleUseLink):
    """A new e-mail address an administrator entered for an account. It takes effect
    when the account's owner confirms it, logged in with their current address and
    password, through the link sent to the new address: an administrator who enters
    an address of their own can never log in as someone else."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("wijziging van e-mailadres")
        verbose_name_plural = _("wijzigingen van e-mailadres")

    @property
    def is_open(self):
        return self.confirmed_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class PendingAccountChangeQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """An active administrator sees the organization's changes waiting for a second
        administrator; a location manager only the ones they asked for, of the accounts
        they still manage. Anyone else: none."""
        membership = membership_of(user)
        if membership is None or membership.effective_status != Status.ACTIVE:
            return self.none()
        if membership.is_administrator:
            return self.of_administered_organization(user)
        return self.filter(requested_by=user, membership__in=Membership.objects.manageable_by(user))


class PendingAccountChange(models.Model):
    """Vier ogen: a change of an account that waits for a second administrator (making
    someone an administrator, or an order limit raised above the organization's amount).
    It was asked against the account's ``version``; once the account changed, it can no
    longer be approved. ``values`` holds the requested fields as the service takes them
    (amounts as text)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Wacht op een tweede administrator")
        APPROVED = "approved", _("Goedgekeurd")
        REFUSED = "refused", _("Afgewezen")
        WITHDRAWN = "withdrawn", _("Ingetrokken")
        EXPIRED = "expired", _("Verlopen")  # nobody decided within FOUR_EYES_EXPIRY_DAYS

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="pending_changes")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    values = models.JSONField(default=dict)
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    # When the administrators who can approve it were reminded (once, FOUR_EYES_REMINDER_DAYS after it was asked).
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = PendingAccountChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("wijziging die wacht op een tweede administrator")
        verbose_name_plural = _("wijzigingen die wachten op een tweede administrator")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "approved", "refused", "withdrawn", "expired"]),
                name="pending_change_status_valid",
            ),
            # Closed by someone, or expired (by nobody).
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (models.Q(status="expired", decided_at__isnull=False, decided_by__isnull=True))
                | (~models.Q(status__in=["pending", "expired"]) & models.Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="pending_change_decided_when_closed",
            ),
            # One change of an account waits at a time.
            models.UniqueConstraint(
                fields=["membership"], condition=models.Q(status="pending"), name="pending_change_one_per_account"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="pending_change_org_status")]

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def expires_at(self):
        """When it expires if nobody decides (``FOUR_EYES_EXPIRY_DAYS`` after it was asked)."""
        return self.requested_at + timedelta(days=settings.FOUR_EYES_EXPIRY_DAYS)

    @property
    def is_stale(self):
        """The account changed since: it can no longer be approved."""
        return self.is_pending and self.membership.version != self.version
