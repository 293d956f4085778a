"""Wire types of accounts: sign-up, login, tokens, profile and user administration."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import EmailStr, Field, model_validator

from shared.enums import Role
from shared.wire.base import WireModel, WireOut
from shared.wire.common import PageQuery, Pagination

Name = Field(min_length=1, max_length=100)
Password = Field(min_length=1, max_length=128)


class RegisterRequest(WireModel):
    name: str = Name
    email: EmailStr
    password: str = Password
    confirm_password: str = Password


class LoginRequest(WireModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Password


class RefreshRequest(WireModel):
    refresh_token: str = Field(min_length=1, max_length=256)


class LogoutRequest(WireModel):
    """Without a refresh token, every session of the caller ends."""

    refresh_token: str | None = Field(default=None, min_length=1, max_length=256)


class ProfileUpdate(WireModel):
    """Changing the email needs the current password, as changing the password does:
    whoever holds a stolen access token must not be able to move the account."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    email: EmailStr | None = None
    current_password: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="Needed to change the email (400 on this field if missing or wrong);"
        " not for the name",
    )

    @model_validator(mode="after")
    def _not_empty(self) -> "ProfileUpdate":
        if self.name is None and self.email is None:
            raise ValueError("nothing to update: give name or email")
        return self


class PasswordChange(WireModel):
    current_password: str = Password
    new_password: str = Password


class UserOut(WireOut):
    id: UUID
    name: str
    email: str
    role: Role
    is_active: bool
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime


class AuthResult(WireOut):
    user: UserOut
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105
    expires_in: int


class UserCreate(WireModel):
    name: str = Name
    email: EmailStr
    password: str = Password
    role: Role = Role.USER
    is_active: bool = True


class UserUpdate(WireModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    email: EmailStr | None = None
    role: Role | None = None
    is_active: bool | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> "UserUpdate":
        if all(v is None for v in (self.name, self.email, self.role, self.is_active)):
            raise ValueError("nothing to update: give name, email, role or isActive")
        return self


class UserListQuery(PageQuery):
    search: str | None = Field(default=None, max_length=100)
    role: Role | None = None
    is_active: bool | None = None
    sort_by: Literal["createdAt", "name", "email", "role", "lastLoginAt"] = "createdAt"


class UserList(WireOut):
    users: list[UserOut]
    pagination: Pagination


class BulkAction(WireModel):
    action: Literal["activate", "deactivate", "delete", "setRole"]
    user_ids: list[str] = Field(min_length=1, max_length=100)
    role: Role | None = None

    @model_validator(mode="after")
    def _role_for_set_role(self) -> "BulkAction":
        if self.action == "setRole" and self.role is None:
            raise ValueError("setRole needs a role")
        if self.action != "setRole" and self.role is not None:
            raise ValueError("role is only meaningful with setRole")
        if len(set(self.user_ids)) != len(self.user_ids):
            raise ValueError("userIds must not repeat")
        return self


class BulkResult(WireOut):
    action: str
    affected: int


class SignupDay(WireOut):
    date: str
    count: int


class UserStats(WireOut):
    total: int
    active: int
    inactive: int
    by_role: dict[str, int]
    signups_last_30_days: list[SignupDay]
