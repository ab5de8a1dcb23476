from django import forms

from .models import Unit


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "status", "effective_from", "effective_to"]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "effective_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def validate_unique(self):
        """Uniqueness is the service's job, inside its transaction."""
