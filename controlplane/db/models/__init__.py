"""Every tortoise model of the control plane, gathered for tortoise's app registry."""

from controlplane.db.models.accounts import AuthThrottle, RefreshToken, User

__all__ = ["AuthThrottle", "RefreshToken", "User"]
