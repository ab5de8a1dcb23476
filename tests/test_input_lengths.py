"""Issue 14, item 14: every text that enters through the API is bounded where it enters, by the column it ends in,
so an over-long value is a 4xx naming the field, never a database error later. Walks every operation's JSON body
schemas (nested ones too), so a new schema cannot forget it."""

import typing

from annotated_types import MaxLen
from django.apps import apps
from django.db import models

# Body texts bounded by their service instead, which answers 400 naming the field (a test of theirs asserts it).
CHECKED_BY_SERVICE = {("RecordUnmarkIn", "reason")}


def _max_length(field) -> int | None:
    return next((m.max_length for m in field.metadata if isinstance(m, MaxLen)), None)


def _is_text(annotation) -> bool:
    return annotation is str or str in typing.get_args(annotation)


def _nested(annotation):
    for arg in typing.get_args(annotation) or (annotation,):
        for inner in typing.get_args(arg) or (arg,):
            if isinstance(inner, type) and hasattr(inner, "model_fields"):
                yield inner


def _body_texts():
    """(operation, schema, field name, max_length) for every text field of every JSON body."""
    from dieuhanh.site.api import api

    seen = set()

    def walk(schema, where):
        if schema in seen:
            return
        seen.add(schema)
        for name, field in schema.model_fields.items():
            for inner in _nested(field.annotation):
                yield from walk(inner, where)
            if _is_text(field.annotation):
                yield where, schema.__name__, name, _max_length(field)

    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for params in operation.models:
                    if params.__ninja_param_source__ != "body":
                        continue
                    yield from walk(params, f"{operation.view_func.__module__}.{operation.view_func.__name__}")


def _widest_columns() -> dict[str, int]:
    widest: dict[str, int] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.TextField):  # an unbounded column of that name can hold it
                widest[field.name] = 10**9
            elif isinstance(field, models.CharField) and field.max_length:
                widest[field.name] = max(widest.get(field.name, 0), field.max_length)
    return widest


def test_every_text_in_an_api_body_is_bounded():
    texts = list(_body_texts())
    assert len(texts) > 50
    unbounded = [t for t in texts if t[3] is None and (t[1], t[2]) not in CHECKED_BY_SERVICE]
    assert not unbounded, unbounded


def test_no_body_text_is_wider_than_every_column_of_its_name():
    """A schema that lets through more than any column of that name holds can only fail at the database."""
    widest = _widest_columns()
    too_wide = [t for t in _body_texts() if t[3] is not None and t[2] in widest and t[3] > widest[t[2]]
                and t[2] not in ("password", "old_password", "new_password")]  # hashed, never stored as typed
    assert not too_wide, too_wide
