"""Log-in, second-factor and reset forms. Their errors never tell whether an account exists."""
from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from .backends import lift_lock_out


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    # One message for a wrong password, an unknown e-mail and a locked account alike.
    refused = _("Wrong e-mail or password. After 5 wrong tries the account waits 15 minutes.")

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        email, password = self.cleaned_data.get("email"), self.cleaned_data.get("password")
        if email and password:
            self.user = authenticate(self.request, email=email, password=password)
            if self.user is None:
                raise forms.ValidationError(self.refused, code="refused")
        return self.cleaned_data


class CodeForm(forms.Form):
    code = forms.CharField(label=_("6-digit code from your phone"), max_length=12, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}))

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("The code is 6 digits."))
        return code


class ResetForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))


class NewPasswordForm(SetPasswordForm):
    """Choosing a password through the e-mailed link also lifts a lock-out: whoever holds the
    inbox is the volunteer, and someone guessing at the account must not keep them out."""

    def save(self, commit=True):
        user = super().save(commit)
        lift_lock_out(user)
        return user
