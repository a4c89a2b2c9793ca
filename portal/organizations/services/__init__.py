"""Accountbeheer: every change to an account of a customer organization.

Each service takes keyword-only arguments including the acting user, runs in one
transaction, records an audit event and sends its mail after the commit. The rules
that protect the customer are enforced here, in one spot:

- an organization always keeps at least one active administrator;
- nobody deactivates, deletes or demotes themselves;
- two people editing the same account: the second save is refused.

HartingBank's staff use the same services (the back office): an account manager creates
an organization, turns its access on and off and invites its first administrator; online
customer service deactivates, reactivates or deletes an account, resends an invitation
and links locations on request, always with a reason that goes into the audit trail.
Each service checks the actor's role here, whichever page called it.
"""

# The services by concern, one module each; their public names are read from here.
from .changes import (  # noqa: F401
    account_personal_data_apply,
    account_update,
    email_change_confirm,
    email_change_lookup,
)
from .four_eyes import (  # noqa: F401
    FourEyesError,
    four_eyes_approve,
    four_eyes_expire,
    four_eyes_refuse,
    four_eyes_remind,
    four_eyes_withdraw,
    organization_four_eyes_set,
    process_four_eyes,
)
from .invitations import (  # noqa: F401
    account_invite,
    invitation_accept,
    invitation_issue,
    invitation_lookup,
    invitation_resend,
    invitation_withdraw,
)
from .lifecycle import (  # noqa: F401
    account_deactivate,
    account_delete,
    account_locations_set,
    account_reactivate,
    reactivate_due_accounts,
)
from .organization import (  # noqa: F401
    organization_access_set,
    organization_create,
    organization_update,
)
from .rules import (  # noqa: F401
    MEMBERSHIP_FIELDS,
    PERSONAL_FIELDS,
    AccountRuleError,
    Grants,
    InvitationInvalid,
)
from .two_step import (  # noqa: F401
    account_mfa_reset,
    organization_mfa_require,
)
