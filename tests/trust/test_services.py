from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.exceptions import ApplicationError
from tests.factories import UserFactory
from trust import services
from trust.models import Invitation, Membership, Role, User
from trust.selectors import invitation_by_token


def _invite(world, email="new.person@example.org", role=Role.TRUSTEE, school=None):
    with scope(trust=world.trust.pk):
        return services.invitation_create(
            trust=world.trust, actor=world.people["executive"], email=email, role=role, school=school
        )


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def test_invitation_emails_a_single_use_link(trust_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, path = _invite(trust_a)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert path in mail.outbox[0].body
    # Only the hash is stored: the raw token appears nowhere in the row.
    assert _token(path) not in invitation.token_hash


def test_accepting_creates_the_account_and_membership(trust_a, unscoped):
    invitation, path = _invite(trust_a)
    membership = services.invitation_accept(
        invitation=invitation_by_token(_token(path)), user=None, full_name="New Person", password="a-long-passphrase-42"
    )
    assert membership.role == Role.TRUSTEE
    assert membership.trust == trust_a.trust
    assert User.objects.get(email="new.person@example.org").check_password("a-long-passphrase-42")


def test_an_invitation_cannot_be_used_twice(trust_a, unscoped):
    invitation, path = _invite(trust_a)
    services.invitation_accept(invitation=invitation, user=None, full_name="A", password="a-long-passphrase-42")
    with pytest.raises(ApplicationError, match="already been used"):
        services.invitation_accept(invitation=invitation, user=None, full_name="B", password="a-long-passphrase-42")
    assert Membership.objects.filter(user__email="new.person@example.org").count() == 1


def test_an_expired_invitation_is_refused_and_changes_nothing(trust_a, unscoped):
    invitation, _ = _invite(trust_a)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    invitation.refresh_from_db()
    with pytest.raises(ApplicationError, match="expired"):
        services.invitation_accept(invitation=invitation, user=None, full_name="A", password="a-long-passphrase-42")
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_invitations_expire_after_seven_days(trust_a):
    invitation, _ = _invite(trust_a)
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)


def test_accepting_adds_the_membership_to_an_existing_account(trust_a, trust_b, unscoped):
    existing = trust_b.people["specialist"]
    invitation, _ = _invite(trust_a, email=existing.email.upper(), role=Role.SPECIALIST)
    membership = services.invitation_accept(invitation=invitation, user=existing)
    assert membership.user == existing
    assert set(Membership.objects.filter(user=existing).values_list("trust__slug", flat=True)) == {"alder", "birch"}


def test_an_existing_account_must_sign_in_to_accept(trust_a, trust_b, unscoped):
    invitation, _ = _invite(trust_a, email=trust_b.people["trustee"].email)
    with pytest.raises(ApplicationError, match="sign in"):
        services.invitation_accept(invitation=invitation, user=None, full_name="X", password="a-long-passphrase-42")


def test_the_wrong_person_cannot_accept_someone_elses_invitation(trust_a, trust_b, unscoped):
    invitation, _ = _invite(trust_a, email="intended@example.org")
    with pytest.raises(ApplicationError, match="intended@example.org"):
        services.invitation_accept(invitation=invitation, user=trust_b.people["trustee"])
    assert not Membership.objects.filter(trust=trust_a.trust, user=trust_b.people["trustee"]).exists()


def test_inviting_a_current_member_gives_a_clear_message(trust_a):
    with pytest.raises(ApplicationError, match="already a member"):
        _invite(trust_a, email=trust_a.people["trustee"].email)


def test_inviting_the_same_email_twice_keeps_one_open_invitation(trust_a, unscoped):
    _invite(trust_a)
    with pytest.raises(ApplicationError, match="already waiting"):
        _invite(trust_a)
    assert Invitation.objects.filter(email="new.person@example.org").count() == 1


def test_an_expired_invitation_can_be_replaced(trust_a, unscoped):
    first, _ = _invite(trust_a)
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(days=1))
    second, _ = _invite(trust_a)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.is_open


def test_a_headteacher_invitation_needs_a_school_of_the_same_trust(trust_a, trust_b):
    with pytest.raises(ApplicationError, match="Choose the school"):
        _invite(trust_a, role=Role.HEADTEACHER)
    with pytest.raises(ApplicationError, match="Choose a valid school"):
        _invite(trust_a, role=Role.HEADTEACHER, school=trust_b.schools[0])


def test_a_weak_password_is_refused_and_nothing_is_created(trust_a, unscoped):
    invitation, _ = _invite(trust_a)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=None, full_name="A", password="password")
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_a_withdrawn_invitation_cannot_be_accepted(trust_a, unscoped):
    invitation, _ = _invite(trust_a)
    services.invitation_revoke(invitation=invitation, actor=trust_a.people["executive"])
    with pytest.raises(ApplicationError, match="withdrawn"):
        services.invitation_accept(invitation=invitation, user=None, full_name="A", password="a-long-passphrase-42")


def test_changing_a_role_to_headteacher_needs_the_school(trust_a, unscoped):
    member = trust_a.memberships["trustee"]
    services.membership_change_role(
        membership=member, actor=trust_a.people["executive"], role=Role.HEADTEACHER, school=trust_a.schools[1]
    )
    member.refresh_from_db()
    assert (member.role, member.school) == (Role.HEADTEACHER, trust_a.schools[1])


def test_the_last_executive_cannot_be_demoted(trust_a, unscoped):
    executive = trust_a.memberships["executive"]
    with pytest.raises(ApplicationError, match="last executive"):
        services.membership_change_role(membership=executive, actor=executive.user, role=Role.TRUSTEE)
    executive.refresh_from_db()
    assert executive.role == Role.EXECUTIVE


def test_the_last_executive_cannot_be_removed(trust_a, unscoped):
    executive = trust_a.memberships["executive"]
    with pytest.raises(ApplicationError, match="last executive"):
        services.membership_remove(membership=executive, actor=executive.user)
    assert Membership.objects.filter(pk=executive.pk).exists()


def test_an_executive_can_step_down_once_another_exists(trust_a, unscoped):
    services.membership_change_role(
        membership=trust_a.memberships["improvement_lead"], actor=trust_a.people["executive"], role=Role.EXECUTIVE
    )
    services.membership_remove(membership=trust_a.memberships["executive"], actor=trust_a.people["executive"])
    assert not Membership.objects.filter(pk=trust_a.memberships["executive"].pk).exists()


def test_removing_a_member_keeps_their_account_and_other_trusts(trust_a, trust_b, unscoped):
    person = UserFactory()
    a = Membership.objects.create(user=person, trust=trust_a.trust, role=Role.SPECIALIST)
    Membership.objects.create(user=person, trust=trust_b.trust, role=Role.SPECIALIST)
    services.membership_remove(membership=a, actor=trust_a.people["executive"])
    assert User.objects.filter(pk=person.pk).exists()
    assert list(Membership.objects.filter(user=person).values_list("trust__slug", flat=True)) == ["birch"]


def test_trust_create_invites_a_new_executive(db, unscoped, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        trust, link = services.trust_create(name="Elm Academies", executive_email="boss@elm.example")
    assert trust.slug == "elm-academies" and link
    assert Invitation.objects.get(trust=trust).role == Role.EXECUTIVE
    assert mail.outbox[0].to == ["boss@elm.example"]


def test_trust_create_makes_an_existing_account_executive_at_once(trust_a, unscoped):
    trust, link = services.trust_create(name="Alder Trust", executive_email=trust_a.people["trustee"].email)
    assert link is None
    assert trust.slug == "alder-trust"
    assert Membership.objects.get(trust=trust).role == Role.EXECUTIVE


def test_api_token_is_stored_hashed_and_shown_once(trust_a, unscoped):
    token, raw = services.api_token_create(user=trust_a.people["trustee"], trust=trust_a.trust, name="MIS sync")
    assert raw not in token.key_hash and token.prefix == raw[:8]
    with scopes_disabled():
        assert token.key_hash != raw
