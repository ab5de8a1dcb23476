from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dieuhanh.kernel.forms import apply_service_errors

from . import auth, oidc, services, totp
from .forms import LoginForm, PasswordChangeForm, TwoFactorForm
from .models import TwoFactorDevice, User


def _safe_next(request, next_url):
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        return ""
    return next_url


def login_view(request):
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next") or "")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in(request, username=form.cleaned_data["username"],
                                    password=form.cleaned_data["password"])
        except services.LockedOut:
            form.add_error(None, _("Too many failed sign-in attempts. Try again in a few minutes."))
            status = 429
        except ValidationError:
            form.add_error(None, _("Wrong username or password."))
            status = 401
        else:
            if services.has_two_factor(user):
                # the password was right; the session opens only after the second factor
                request.session["_2fa_user"] = user.pk
                request.session["_2fa_next"] = next_url
                return redirect("accounts:two_factor")
            login(request, user)
            return redirect(next_url or "site:home")
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/login.html", {"form": form, "next": next_url, "oidc_enabled": oidc.enabled()},
                  status=status)


def _sso_refused(request, message, status):
    """The sign-in page again, with the reason single sign-on failed (and the password form as the way out)."""
    return render(request, "accounts/login.html", {"form": LoginForm(), "next": "", "oidc_enabled": True,
                                                   "sso_error": message}, status=status)


def oidc_login(request):
    """Start single sign-on: off (404) unless configured."""
    if not oidc.enabled():
        raise Http404
    try:
        return oidc.start(request, _safe_next(request, request.GET.get("next") or ""))
    except oidc.Refused as exc:
        return _sso_refused(request, exc.message, exc.status)


@require_GET
def oidc_callback(request):
    """The provider sends the person back here with a code. The same second-factor rule as the password sign-in,
    unless the provider asserted a second factor itself (decision 0024)."""
    if not oidc.enabled():
        raise Http404
    try:
        user, mfa = oidc.complete(request)
    except services.LockedOut:
        return _sso_refused(request, _("Too many failed sign-in attempts. Try again in a few minutes."), 429)
    except oidc.Refused as exc:
        return _sso_refused(request, exc.message, exc.status)
    next_url = _safe_next(request, request.session.pop(oidc.NEXT_KEY, "") or "")
    if not mfa and services.has_two_factor(user):
        request.session["_2fa_user"] = user.pk
        request.session["_2fa_next"] = next_url
        return redirect("accounts:two_factor")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if mfa:
        request.session[oidc.MFA_SESSION_KEY] = True
    return redirect(next_url or "site:home")


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(actor=request.user, old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["new_password"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("site:home")
    return render(request, "accounts/password_change.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def two_factor(request):
    """Second step of signing in: a code from the authenticator, or a recovery code."""
    user = User.objects.filter(pk=request.session.get("_2fa_user"), is_active=True).first()
    if user is None:
        return redirect("accounts:login")
    form = TwoFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ok = services.verify_second_factor(user, form.cleaned_data["code"])
        except services.LockedOut:
            form.add_error(None, _("Too many failed sign-in attempts. Try again in a few minutes."))
            status = 429
        else:
            if ok:
                next_url = request.session.get("_2fa_next") or ""
                login(request, user)  # a new session: the pending markers go with the old one
                auth.mark_session_passed(request)
                return redirect(next_url or "site:home")
            form.add_error("code", _("The code is wrong or has expired."))
            status = 401
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/two_factor.html", {"form": form}, status=status)


@login_required
def two_factor_setup(request):
    """Set up the authenticator: scan or type the secret, confirm with a code, keep the recovery codes."""
    if services.has_two_factor(request.user):
        return render(request, "accounts/two_factor_setup.html", {"done": True})
    device = TwoFactorDevice.objects.filter(user=request.user).first() or services.start_two_factor(
        actor=request.user)
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_two_factor(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            # the first code proves the device: this session has passed the second factor (decision 0028)
            auth.mark_session_passed(request)
            return render(request, "accounts/two_factor_setup.html", {"done": True, "codes": codes})
    grouped = " ".join(device.secret[i:i + 4] for i in range(0, len(device.secret), 4))
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "secret": grouped, "uri": totp.provisioning_uri(device.secret, request.user.username),
        "required": services.two_factor_required(request.user)}, status=400 if request.method == "POST" else 200)
