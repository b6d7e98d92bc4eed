import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from core.tables import ActionsColumn, DateTimeColumn, ObjectTable


class MembershipTable(ObjectTable):
    username = tables.Column(_("Username"), accessor="user__username")
    first_name = tables.Column(_("First name"), accessor="user__first_name")
    last_name = tables.Column(_("Last name"), accessor="user__last_name")
    email = tables.Column(_("E-mail"), accessor="user__email")
    role = tables.Column(_("Role"))
    created_at = DateTimeColumn(verbose_name=_("Member since"), format="SHORT_DATE_FORMAT")
    actions = ActionsColumn("accounts/includes/membership_actions.html")

    class Meta(ObjectTable.Meta):
        model = Membership
        fields = ("username", "first_name", "last_name", "email", "role", "created_at")
        order_by = ("username",)
