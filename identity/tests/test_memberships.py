"""The rules of a sign-in's writes, without the provider: which memberships the mapping may
add and remove, and which accounts a first sign-in may take."""

import pytest
from django.contrib.auth import get_user_model

from goals.models import AuditEntry, Membership, OrgUnit
from identity.models import ExternalIdentity, GroupMapping
from identity.services import SignInRefused, user_sign_in_from_claims

pytestmark = pytest.mark.django_db

ISSUER = "https://login.microsoftonline.com/katalog/v2.0"


def claims(sub="abc-123", username="cecilia@kommun.example", groups=("grupp-un",)):
    return {"sub": sub, "preferred_username": username, "groups": list(groups)}


def test_linking_an_existing_account_when_allowed_and_keeping_its_hand_given_role(settings):
    settings.OIDC_LINK_EXISTING_USERS = True
    un = OrgUnit.objects.get(code="UN")
    GroupMapping.objects.create(claim_value="grupp-un", org_unit=un, role="reader")
    user = get_user_model().objects.create_user(username="cecilia@kommun.example")
    Membership.objects.create(user=user, org_unit=un, role="reader")

    assert user_sign_in_from_claims(issuer=ISSUER, claims=claims()) == user
    user_sign_in_from_claims(issuer=ISSUER, claims=claims(groups=()))

    assert list(user.memberships.values_list("org_unit__code", "role")) == [("UN", "reader")]
    assert ExternalIdentity.objects.get(user=user).subject == "abc-123"


def test_a_refused_first_sign_in_writes_nothing():
    get_user_model().objects.create_user(username="cecilia@kommun.example")
    GroupMapping.objects.create(
        claim_value="grupp-un", org_unit=OrgUnit.objects.get(code="UN"), role="editor"
    )
    before = (Membership.objects.count(), AuditEntry.objects.count())

    with pytest.raises(SignInRefused, match="Det finns redan ett konto"):
        user_sign_in_from_claims(issuer=ISSUER, claims=claims())

    assert (Membership.objects.count(), AuditEntry.objects.count()) == before
    assert not ExternalIdentity.objects.exists()


def test_the_same_subject_at_another_issuer_is_another_person():
    user_sign_in_from_claims(issuer=ISSUER, claims=claims(username="a@kommun.example"))
    with pytest.raises(SignInRefused):
        user_sign_in_from_claims(
            issuer="https://annan.example/", claims=claims(username="a@kommun.example")
        )
    assert ExternalIdentity.objects.count() == 1


def test_one_group_as_a_string_and_several_mappings_of_one_group():
    un, sn = OrgUnit.objects.get(code="UN"), OrgUnit.objects.get(code="SN")
    GroupMapping.objects.create(claim_value="ledning", org_unit=un, role="reader")
    GroupMapping.objects.create(claim_value="ledning", org_unit=sn, role="reviewer")

    user = user_sign_in_from_claims(
        issuer=ISSUER, claims={"sub": "x1", "preferred_username": "dan", "groups": "ledning"}
    )

    assert sorted(user.memberships.values_list("org_unit__code", "role")) == [
        ("SN", "reviewer"),
        ("UN", "reader"),
    ]


def test_too_many_groups_for_the_token_refuses_instead_of_removing_every_role():
    GroupMapping.objects.create(
        claim_value="grupp-un", org_unit=OrgUnit.objects.get(code="UN"), role="editor"
    )
    user = user_sign_in_from_claims(issuer=ISSUER, claims=claims())
    assert user.memberships.count() == 1
    overage = {
        "sub": "abc-123",
        "preferred_username": "cecilia@kommun.example",
        "_claim_names": {"groups": "src1"},
        "_claim_sources": {"src1": {"endpoint": "https://graph.microsoft.com/v1.0/..."}},
    }

    with pytest.raises(SignInRefused, match="för många grupper"):
        user_sign_in_from_claims(issuer=ISSUER, claims=overage)

    assert user.memberships.count() == 1
