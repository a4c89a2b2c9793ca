"""An account of the portal as a SCIM User (RFC 7643), and back.

userName and the primary e-mail are the login address; name.formatted and displayName the
name (the portal keeps one name; givenName and familyName are joined); title the job
title; the first phone number the telephone number; active is "not deactivated" (an
invitation not yet accepted is active: nobody switched it off); externalId is kept as the
identity provider sent it.
"""

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Email,
    EnterpriseUser,
    ETag,
    Filter,
    Meta,
    Name,
    Patch,
    PhoneNumber,
    ResourceType,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    User,
)

from portal.organizations.models import Status

MAX_RESULTS = 200

ScimUser = User[EnterpriseUser]

provider = ScimProvider(
    models=[User, EnterpriseUser],
    resource_types=[ResourceType.from_resource(ScimUser)],
    config=ServiceProviderConfig(
        documentation_uri="https://klantenportal.harting-bank.nl/api/v1/docs/",
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="API-sleutel",
                description="Een API-sleutel met het recht scim, als Bearer-token.",
                primary=True,
            )
        ],
    ),
)


def to_scim(membership, location):
    user = membership.user
    external = getattr(membership, "scim_external_id", None)
    given, _, family = (user.full_name or "").partition(" ")
    return ScimUser(
        id=str(membership.pk),
        external_id=external.value if external is not None else None,
        user_name=user.email,
        name=Name(formatted=user.full_name or None, given_name=given or None, family_name=family or None),
        display_name=user.full_name or None,
        title=user.job_title or None,
        emails=[Email(value=user.email, type="work", primary=True)] if user.email else None,
        phone_numbers=[PhoneNumber(value=user.phone, type="work")] if user.phone else None,
        active=membership.effective_status != Status.DEACTIVATED,
        meta=Meta(resource_type="User", created=membership.created_at, last_modified=membership.updated_at,
                  location=location, version=f'W/"{membership.version}"'),
    )  # fmt: skip


def full_name_of(resource):
    name = resource.name
    if name is not None and name.formatted:
        return name.formatted.strip()
    if name is not None and (name.given_name or name.family_name):
        return " ".join(p for p in (name.given_name, name.middle_name, name.family_name) if p).strip()
    return (resource.display_name or "").strip()


def email_of(resource):
    if resource.user_name:
        return resource.user_name.strip()
    emails = resource.emails or []
    primary = next((e for e in emails if e.primary), emails[0] if emails else None)
    return (primary.value or "").strip() if primary is not None else ""


def phone_of(resource):
    numbers = resource.phone_numbers or []
    work = next((p for p in numbers if (p.type or "") == "work"), numbers[0] if numbers else None)
    return (work.value or "").strip() if work is not None else ""


def personal_data_of(resource):
    """The account's personal data as the resource states it."""
    return {
        "email": email_of(resource),
        "full_name": full_name_of(resource),
        "phone": phone_of(resource),
        "job_title": (resource.title or "").strip(),
    }
