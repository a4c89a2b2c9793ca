"""An account of the portal as a SCIM User (RFC 7643), and back.

The primary (else the work) address of emails is the login address, and userName when no
address is sent; a userName other than the address is kept beside the account, as the
identity provider's name for the User. name.formatted and displayName are the name (the
portal keeps one name; givenName and familyName are joined, and kept beside the account as
sent); title the job title; the work (else the first) phone number the telephone number;
active is "not deactivated" (an invitation not yet accepted is active: nobody switched it
off); externalId is kept as the identity provider sent it.
"""

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


def joined(*parts):
    return " ".join(p.strip() for p in parts if p and p.strip())


def full_name_of(resource):
    name = resource.name
    if name is not None and name.formatted:
        return name.formatted.strip()
    if name is not None and (name.given_name or name.family_name):
        return joined(name.given_name, name.middle_name, name.family_name)
    return (resource.display_name or "").strip()


def name_parts(membership):
    """The account's given and family name: those the identity provider last sent, while
    they still make up the account's name; else the name's first word and the rest."""
    full = (membership.user.full_name or "").strip()
    kept = getattr(membership, "scim_external_id", None)
    if kept is not None and (kept.given_name or kept.family_name) and joined(kept.given_name, kept.family_name) == full:
        return kept.given_name or None, kept.family_name or None
    first, _space, rest = full.partition(" ")
    return first or None, rest.strip() or None


def email_of(resource):
    """The account's address: the primary one of ``emails``, else the work one, else the
    first (Entra ID and Okta send the person's mail there, and Entra ID changes it with
    ``emails[type eq "work"].value``); ``userName`` when no address is sent."""
    emails = [e for e in resource.emails or [] if (e.value or "").strip()]
    chosen = (
        next((e for e in emails if e.primary), None)
        or next((e for e in emails if (e.type or "").lower() == "work"), None)
        or (emails[0] if emails else None)
    )
    return chosen.value.strip() if chosen is not None else (resource.user_name or "").strip()


def phone_of(resource):
    numbers = resource.phone_numbers or []
    work = next((p for p in numbers if (p.type or "").lower() == "work"), numbers[0] if numbers else None)
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
