from rest_framework.permissions import SAFE_METHODS, BasePermission

from common.roles import forget_roles, is_coordinator, is_programme_admin


class _RolesPerRequest(BasePermission):
    """common.roles caches a user's teams and groups on the user object; a view's permission
    check is the first thing of each request, so the cache starts afresh there (a test
    client's force_authenticate reuses one user object across requests)."""

    def has_permission(self, request, view) -> bool:
        forget_roles(request.user)
        return self.allows(request)

    def allows(self, request) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


class CoordinatorWriteOrPublicRead(_RolesPerRequest):
    """Deny by default: anyone may read what a view exposes publicly; coordinators (programme
    administrators and city teams) write, as far as the services' rules let them."""

    def allows(self, request) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return is_coordinator(request.user)


class CoordinatorOnly(_RolesPerRequest):
    def allows(self, request) -> bool:
        return is_coordinator(request.user)


class ProgrammeAdminOnly(_RolesPerRequest):
    """Programme-wide tools (imports): programme administrators only, not city teams."""

    def allows(self, request) -> bool:
        return bool(is_programme_admin(request.user))
