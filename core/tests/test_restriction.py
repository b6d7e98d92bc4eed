import pytest

from accounts.models import Membership
from audit.models import AuditEntry
from core.actor import Actor
from core.roles import Role


@pytest.mark.django_db
class TestRestrict:
    def test_it_returns_nothing_without_an_actor(self, world):
        assert Membership.objects.restrict(None).count() == 0

    def test_it_returns_nothing_for_an_anonymous_actor(self, world):
        assert Membership.objects.restrict(Actor.anonymous()).count() == 0

    def test_it_returns_nothing_for_a_user_without_account(self, world):
        assert Membership.objects.restrict(Actor(user=world.loner)).count() == 0

    def test_it_returns_only_the_actors_account(self, world):
        rows = Membership.objects.restrict(world.r1.actor())
        assert {m.account_id for m in rows} == {world.r1.account.pk}
        assert rows.count() == 3

    def test_it_returns_nothing_when_the_role_is_too_low_for_the_action(self, world):
        employee = world.r1.actor(Role.EMPLOYEE)
        assert Membership.objects.restrict(employee, "view").count() == 3
        assert Membership.objects.restrict(employee, "change").count() == 0
        assert Membership.objects.restrict(employee, "delete").count() == 0

    def test_it_chains_after_other_queryset_methods(self, world):
        rows = Membership.objects.select_related("user").filter(role=Role.OWNER).restrict(world.r2.actor())
        assert [m.user for m in rows] == [world.r2.owner]

    def test_unknown_actions_need_the_change_role(self, world):
        assert Membership.objects.restrict(world.r1.actor(Role.EMPLOYEE), "assign").count() == 0
        assert Membership.objects.restrict(world.r1.actor(Role.ADMIN), "assign").count() == 3

    def test_is_visible_to_rechecks_a_single_object(self, world):
        membership = Membership.objects.get(user=world.r1.owner)
        assert membership.is_visible_to(world.r1.actor())
        assert not membership.is_visible_to(world.r2.actor())


@pytest.mark.django_db
class TestAuditEntriesAreAppendOnly:
    def test_an_entry_cannot_be_changed(self, world):
        entry = AuditEntry.objects.create(account=world.r1.account, action=AuditEntry.Action.LOGIN)
        entry.object_repr = "rewritten"
        with pytest.raises(ValueError, match="append-only"):
            entry.save()

    def test_an_entry_cannot_be_deleted(self, world):
        entry = AuditEntry.objects.create(account=world.r1.account, action=AuditEntry.Action.LOGIN)
        with pytest.raises(ValueError, match="append-only"):
            entry.delete()
        assert AuditEntry.objects.filter(pk=entry.pk).exists()
