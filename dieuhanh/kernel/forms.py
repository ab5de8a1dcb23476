"""Glue between service ValidationErrors and Django forms, so pages show errors beside the right field."""


def apply_service_errors(form, exc):
    """Attach a service's ValidationError to ``form``; fields the form lacks become non-field errors."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)

