from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), max_length=4096,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), max_length=4096,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label=_("New password"), max_length=4096,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=_("New password again"), max_length=4096,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two passwords differ."))
        return data


class TwoFactorForm(forms.Form):
    code = forms.CharField(label=_("Code from the authenticator (or a recovery code)"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))
