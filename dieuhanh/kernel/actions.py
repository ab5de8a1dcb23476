"""Page actions: a posted form runs one service. The form only parses what was typed (ids by kernel.ids, dates,
texts); every rule stays the service's. One runner binds the form, calls the service with its cleaned data and
maps what goes wrong: a form or service ValidationError -> 400 with the errors beside their fields (and, on
pages that show them so, as messages), PermissionDenied -> 403. The view then redirects or re-renders.

A page with several actions names them in the ``action`` field; ``dispatch`` picks the form and the call."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .forms import TextField, apply_service_errors, service_field


class ActionForm(forms.Form):
    """The form of one page action. It is bound with the page's objects (``draft=...``) as keywords, kept in
    ``self.context`` for a form whose choices depend on them. ``service_fields`` maps a service's error keys to
    this form's fields (``{"unit_ids": "units"}``; a key ending in "." maps everything below it)."""

    service_fields: Mapping[str, str] = {}

    def __init__(self, data: dict[str, Any] | None = None, files: Any = None, *, initial: Any = None,
                 **context: Any) -> None:
        super().__init__(data, files, initial=initial)
        self.context = context


class NoFieldsForm(ActionForm):
    """An action that takes nothing but its button (check the signatures, approve the list, destroy the files)."""


class ReasonForm(ActionForm):
    """An action that takes a reason (refuse, cancel, reopen): the service says whether it is required."""

    reason = TextField()


@dataclass(frozen=True)
class Action:
    """One named action of a page: its form class and the call, ``run(request, data, **context) -> message``;
    ``flash`` overrides the page's way of showing errors for this action."""

    form: type[ActionForm]
    run: Callable[..., str | None]
    flash: str | None = None


@dataclass
class Outcome:
    """What a run came to: ``ok`` (redirect) or the ``status`` to re-render with, the bound ``form``, and the
    errors by field (form field names, or the service's own keys where the form has no such field; "__all__" for
    the rest), for pages that show each beside its input."""

    ok: bool
    status: int = 200
    form: forms.BaseForm | None = None
    errors: dict[str, str] = field(default_factory=dict)


# how errors reach a re-rendered page besides the form: one message joining them all, one message per field
# naming it, or none (the page renders the form, which shows them)
JOINED, LABELLED, FORM_ONLY = "joined", "labelled", "form"


def run_action(request: HttpRequest, form: forms.BaseForm, call: Callable[[dict[str, Any]], str | None], *,
               flash: str = JOINED, labels: Callable[[str], str | None] | Mapping[str, str] | None = None,
               denied: str | None = None) -> Outcome:
    """Validate ``form``, run ``call(cleaned_data)`` (it returns the success message, shown if not empty) and
    map its errors. ``labels`` names the fields in LABELLED messages; ``denied`` is the message of a refusal that
    gives none."""
    aliases = getattr(form, "service_fields", {})
    if not form.is_valid():
        errors = {key: " ".join(str(m) for m in msgs) for key, msgs in form.errors.items()}
        _flash(request, errors, flash, labels)
        return Outcome(False, 400, form, errors)
    try:
        message = call(form.cleaned_data)
    except ValidationError as exc:
        errors = {}
        if hasattr(exc, "error_dict"):
            for key, msgs in exc.message_dict.items():
                # services translate their messages; one raised elsewhere in English still comes out in the
                # page's language when the catalogue knows it
                errors[key] = " ".join(_(m) for m in msgs)
        else:
            errors["__all__"] = " ".join(exc.messages)
        for key, text in errors.items():
            target = service_field(key, form, aliases) if key != "__all__" else None
            if target is None or text not in form.errors.get(target, []):
                form.add_error(target, text)
        _flash(request, errors, flash, labels)
        return Outcome(False, 400, form, errors)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or denied or _("You do not have permission to do this."))
        return Outcome(False, 403, form)
    if message:
        messages.success(request, message)
    return Outcome(True, 200, form)


def dispatch(request: HttpRequest, actions: Mapping[str, Action], *, flash: str = JOINED,
             labels: Callable[[str], str | None] | Mapping[str, str] | None = None, denied: str | None = None,
             **context: Any) -> Outcome:
    """Run the action named by the posted ``action`` field; an unknown name is a 400 like any invalid form."""
    action = actions.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Unknown action."))
        return Outcome(False, 400, None, {"__all__": _("Unknown action.")})
    form = action.form(request.POST, request.FILES, **context)
    return run_action(request, form, lambda data: action.run(request, data, **context),
                      flash=action.flash or flash, labels=labels, denied=denied)


def _flash(request: HttpRequest, errors: Mapping[str, str], flash: str, labels: Any) -> None:
    if flash == JOINED:
        messages.error(request, " ".join(errors.values()))
    elif flash == LABELLED:
        for key, text in errors.items():
            label = None if key == "__all__" else labels.get(key) if isinstance(labels, Mapping) else (
                labels(key) if labels else None)
            messages.error(request, f"{label}: {text}" if label else text)


__all__ = ["JOINED", "LABELLED", "FORM_ONLY", "Action", "ActionForm", "Outcome", "apply_service_errors",
           "dispatch", "run_action"]
