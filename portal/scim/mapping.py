"""An account of the portal as a SCIM User (RFC 7643), and back.

userName and the primary e-mail are the login address; name.formatted and displayName the
name (the portal keeps one name; givenName and familyName are joined); title the job
title; the first phone number the telephone number; active is "not deactivated" (an
invitation not yet accepted is active: nobody switched it off); externalId is kept as the
identity provider sent it.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
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

# Payloads are read with the enterprise extension (Entra ID sends it), which is ignored;
# what the service publishes is the core User with the attributes an account has.
provider = ScimProvider(
    models=[User],
    resource_types=[ResourceType.from_resource(User)],
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
    return ScimUser(
        id=str(membership.pk),
        external_id=(external.value or None) if external is not None else None,
        user_name=(external.user_name if external is not None and external.user_name else user.email),
        name=Name(formatted=user.full_name or None),
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


def is_address(text):
    try:
        validate_email(text or "")
    except ValidationError:
        return False
    return True


def email_of(resource):
    """The account's address: ``userName`` when it is one (Entra ID and Okta send the
    address there), else the primary one of ``emails``."""
    user_name = (resource.user_name or "").strip()
    if is_address(user_name):
        return user_name
    emails = resource.emails or []
    primary = next((e for e in emails if e.primary), emails[0] if emails else None)
    return (primary.value or "").strip() if primary is not None else user_name


def phone_of(resource):
    numbers = resource.phone_numbers or []
    work = next((p for p in numbers if (p.type or "") == "work"), numbers[0] if numbers else None)
    return (work.value or "").strip() if work is not None else ""


# What the portal needs of every User beside userName: an address and a name. The
# published schema says so, so a client knows before it sends.
REQUIRED_ATTRIBUTES = {"emails", "displayName"}
# The attributes an account has (the published User schema lists only these; others
# that a client sends, such as the enterprise extension, are ignored).
SUPPORTED = {
    "id": None, "externalId": None, "userName": None, "displayName": None, "title": None, "active": None,
    "name": {"formatted"}, "emails": {"value", "type", "primary"}, "phoneNumbers": {"value", "type"},
}  # fmt: skip


def published_schema(schema):
    data = schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    if data.get("id") != "urn:ietf:params:scim:schemas:core:2.0:User":
        return data
    attributes = []
    for attribute in data.get("attributes", []):
        name = attribute.get("name")
        if name not in SUPPORTED:
            continue
        if SUPPORTED[name] is not None:
            attribute["subAttributes"] = [s for s in attribute.get("subAttributes") or [] if s.get("name") in SUPPORTED[name]]
        if name in REQUIRED_ATTRIBUTES:
            attribute["required"] = True
            for sub in attribute.get("subAttributes") or []:
                if sub.get("name") == "value":
                    sub["required"] = True
        attributes.append(attribute)
    data["attributes"] = attributes
    return data


def personal_data_of(resource):
    """The account's personal data as the resource states it."""
    return {
        "email": email_of(resource),
        "full_name": full_name_of(resource),
        "phone": phone_of(resource),
        "job_title": (resource.title or "").strip(),
    }
