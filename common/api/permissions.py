from rest_framework.permissions import SAFE_METHODS, BasePermission

from common.roles import is_coordinator


class CoordinatorWriteOrPublicRead(BasePermission):
    """Deny by default: anyone may read what a view exposes publicly; coordinators write."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return is_coordinator(request.user)


class CoordinatorOnly(BasePermission):
    def has_permission(self, request, view) -> bool:
        return is_coordinator(request.user)
