from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ExternalIdentity, GroupMapping


@admin.register(GroupMapping)
class GroupMappingAdmin(SimpleHistoryAdmin):
    """Which provider group or app role gives which role on which unit. A change takes effect
    at each member's next sign-in."""

    list_display = ["claim_value", "description", "org_unit", "role"]
    list_filter = ["role"]
    search_fields = ["claim_value", "description", "org_unit__name", "org_unit__code"]
    autocomplete_fields = ["org_unit"]


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(SimpleHistoryAdmin):
    """Written by the sign-in only; an administrator may look, or delete a link so that the
    next sign-in makes a new account."""

    list_display = ["user", "subject", "issuer", "last_sign_in"]
    search_fields = ["user__username", "subject"]
    readonly_fields = ["user", "issuer", "subject", "last_groups", "last_sign_in"]

    def has_add_permission(self, request):
        return False
