"""The base of every wire type: camelCase on the wire, snake_case in Python, strict input."""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """Input and output bodies. Unknown fields are refused so nothing is silently dropped."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=True,
    )

    def wire(self) -> dict:
        """The JSON-ready camelCase dict of this value."""
        return self.model_dump(mode="json", by_alias=True)


class WireOut(WireModel):
    """Response bodies: the same naming, but tolerant when built from ORM rows."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        from_attributes=True,
    )
