"""Glue between forms and the services: id fields parsed by the one id parser, and service ValidationErrors put
beside the right field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError

from .ids import parse_id

if TYPE_CHECKING:
    from typing import Any


def service_field(key: str, form: forms.BaseForm, aliases: Mapping[str, str] | None = None) -> str | None:
    """The form field that shows a service's error ``key``: ``aliases`` (``{"unit_ids": "units"}``; a key ending
    in "." maps every ``recipients.0.unit_id`` below it), else the field of that name, else None (non-field)."""
    aliases = aliases or {}
    field = aliases.get(key)
    if field is None:
        field = next((to for prefix, to in aliases.items() if prefix.endswith(".") and key.startswith(prefix)), key)
    return field if field in form.fields else None


def apply_service_errors(form: forms.BaseForm, exc: ValidationError, aliases: Mapping[str, str] | None = None) -> None:
    """Attach a service's ValidationError to ``form``; fields the form lacks become non-field errors."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            form.add_error(service_field(key, form, aliases), errors)
    else:
        form.add_error(None, exc.messages)


class IdField(forms.IntegerField):
    """One id: ASCII digits within the database's bigint range (kernel.ids.parse_id), else "Enter a whole
    number." Django's IntegerField would read "١٢" as 12."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        number = parse_id(value if isinstance(value, int) else str(value))
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IdListField(forms.Field):
    """Several ids from a multi-valued field (``getlist``); blanks are skipped, anything else that is no id is an
    error."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": forms.IntegerField.default_error_messages["invalid"]}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[int | None]:
        values = [v for v in (value if isinstance(value, (list, tuple)) else [value]) if v not in self.empty_values]
        ids = [parse_id(v if isinstance(v, int) else str(v)) for v in values]
        if None in ids:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return ids


class TextField(forms.CharField):
    """A typed text handed to a service as it came (not stripped, optional): the service owns its rules."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)


class FlagField(forms.Field):
    """A yes/no the page posts as ``1`` or ``0`` (a pair of buttons, a hidden input): True only for ``1``.
    Django's BooleanField reads any non-empty text, ``"0"`` included, as True: a "Refuse" button would approve."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> bool:
        return value == "1" or value is True


class LookupIdField(IdField):
    """The id of the row an action works on (``loan_id``): one that is no id names no row, so it cleans to None and
    the view's lookup answers 404, as for an id in the URL."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", None)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        try:
            return super().to_python(value)
        except ValidationError:
            return None
