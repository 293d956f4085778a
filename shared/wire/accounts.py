"""Wire types of accounts: sign-up, login, tokens, profile and user administration."""

import re
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import (
    EmailStr,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from shared.enums import Role
from shared.wire.base import WireModel, WireOut
from shared.wire.common import PageQuery, Pagination

Name = Field(min_length=1, max_length=100)
Password = Field(min_length=1, max_length=128)
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128


def policy_problems(password: str) -> list[str]:
    """What a password lacks; empty when it is acceptable."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(f"at least {PASSWORD_MIN_LENGTH} characters")
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(f"at most {PASSWORD_MAX_LENGTH} characters")
    if not re.search(r"[a-z]", password):
        problems.append("a lower-case letter")
    if not re.search(r"[A-Z]", password):
        problems.append("an upper-case letter")
    if not re.search(r"\d", password):
        problems.append("a digit")
    if not re.search(r"[^A-Za-z0-9]", password):
        problems.append("a symbol")
    return problems


def _given(data: dict[str, Any], wire_name: str) -> Any:
    """A field as the wire spells it (camelCase) or as Python callers do (snake_case)."""
    if wire_name in data:
        return data[wire_name]
    return data.get(re.sub(r"(?<!^)(?=[A-Z])", "_", wire_name).lower())


def _problem(field: str, message: str, value: Any) -> InitErrorDetails:
    return {"type": PydanticCustomError("password", message), "loc": (field,), "input": value}


def _with_password_rules(
    model: type[Any],
    data: Any,
    handler: ModelWrapValidatorHandler[Any],
    password_field: str,
    confirm_field: str | None,
) -> Any:
    """Field checks, the password policy and the confirmation in one pass, so a form
    learns every problem at once (pydantic alone stops before cross-field rules when
    any field is wrong)."""
    extra: list[InitErrorDetails] = []
    if isinstance(data, dict):
        password = _given(data, password_field)
        if isinstance(password, str) and (problems := policy_problems(password)):
            message = "Password needs " + ", ".join(problems)
            extra.append(_problem(password_field, message, password))
        confirm = _given(data, confirm_field) if confirm_field else None
        if confirm_field and isinstance(confirm, str) and confirm != password:
            extra.append(_problem(confirm_field, "Passwords do not match", confirm))
    try:
        value = handler(data)
    except ValidationError as exc:
        taken = {tuple(e["loc"]) for e in extra}
        others: list[InitErrorDetails] = [
            {"type": PydanticCustomError(e["type"], e["msg"]), "loc": e["loc"], "input": e["input"]}
            for e in exc.errors(include_url=False)
            if tuple(e["loc"]) not in taken
        ]
        raise ValidationError.from_exception_data(model.__name__, others + extra) from None
    if extra:
        raise ValidationError.from_exception_data(model.__name__, extra)
    return value


class RegisterRequest(WireModel):
    name: str = Name
    email: EmailStr
    password: str = Password
    confirm_password: str = Password

    @model_validator(mode="wrap")
    @classmethod
    def _password_rules(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        return _with_password_rules(cls, data, handler, "password", "confirmPassword")


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

    @model_validator(mode="wrap")
    @classmethod
    def _password_rules(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        return _with_password_rules(cls, data, handler, "newPassword", None)


class VerifyEmailRequest(WireModel):
    token: str = Field(min_length=1, max_length=256)


class EmailRequest(WireModel):
    """forgot-password and resend-verification: the answer is the same for every address."""

    email: EmailStr


class PasswordReset(WireModel):
    token: str = Field(min_length=1, max_length=256)
    new_password: str = Password

    @model_validator(mode="wrap")
    @classmethod
    def _password_rules(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        return _with_password_rules(cls, data, handler, "newPassword", None)


class UserOut(WireOut):
    id: UUID
    name: str
    email: str
    role: Role
    is_active: bool
    email_verified: bool
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
