import datetime
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.exports import export_response
from trust import selectors, services
from trust.decorators import trust_view
from trust.forms import AcceptWithNewAccountForm, ApiTokenForm, InvitationForm, RoleChangeForm
from trust.models import ApiToken, Invitation, Membership, User
from trust.permissions import Action
from trust.views_security import password_confirmation_required


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("trust-picker")


@login_required
def trust_picker(request: HttpRequest) -> HttpResponse:
    memberships = selectors.memberships_of_user(request.user)
    if len(memberships) == 1 and not request.GET.get("all"):
        return redirect("trust-home", trust_slug=memberships[0].trust.slug)
    return render(request, "trust/picker.html", {"memberships": memberships})


@trust_view(Action.VIEW_TRUST)
def trust_home(request: HttpRequest) -> HttpResponse:
    return render(request, "trust/home.html")


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    # Spreadsheets have no time zones: give the trust's wall-clock time, as the page shows.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _export_members(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.GET.get("table") == "invitations":
        return export_response(
            headers=["Email", "Role", "School", "Expires"],
            rows=[
                [inv.email, inv.get_role_display(), inv.school.name if inv.school else "", _local(inv.expires_at)]
                for inv in selectors.open_invitations(request.trust)
            ],
            filename=f"{request.trust.slug}-open-invitations",
            fmt=fmt,
        )
    return export_response(
        headers=["Name", "Email", "Role", "School"],
        rows=[
            [m.user.full_name, m.user.email, m.get_role_display(), m.school.name if m.school else ""]
            for m in selectors.trust_members(request.trust)
        ],
        filename=f"{request.trust.slug}-members",
        fmt=fmt,
    )


@trust_view(Action.VIEW_MEMBERS)
def member_list(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return _export_members(request, fmt)
    return render(
        request,
        "trust/members.html",
        {
            "members": selectors.trust_members(request.trust),
            "invitations": selectors.open_invitations(request.trust),
        },
    )


def _form_error(form: object, error: ApplicationError | ValidationError) -> None:
    if isinstance(error, ApplicationError):
        field = error.extra.get("field")
        form.add_error(field if field in form.fields else None, error.message)
    else:
        form.add_error(None, error)


@trust_view(Action.MANAGE_MEMBERS)
def member_invite(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, trust=request.trust)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _ = services.invitation_create(
                trust=request.trust,
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                school=form.cleaned_data["school"],
            )
        except (ApplicationError, ValidationError) as error:
            _form_error(form, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}. It is valid for 7 days.")
            return redirect("member-list", trust_slug=request.trust.slug)
    return render(request, "trust/member_invite.html", {"form": form})


def _member(request: HttpRequest, member_uuid: UUID) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user", "school"), trust=request.trust, uuid=member_uuid)


@trust_view(Action.MANAGE_MEMBERS)
@password_confirmation_required
def member_edit(request: HttpRequest, member_uuid: UUID) -> HttpResponse:
    member = _member(request, member_uuid)
    initial = {"role": member.role, "school": member.school.uuid if member.school else None}
    form = RoleChangeForm(request.POST or None, trust=request.trust, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(
                membership=member,
                actor=request.user,
                role=form.cleaned_data["role"],
                school=form.cleaned_data["school"],
            )
        except (ApplicationError, ValidationError) as error:
            _form_error(form, error)
        else:
            messages.success(request, f"{member.user} is now {member.get_role_display().lower()}.")
            return redirect("member-list", trust_slug=request.trust.slug)
    return render(request, "trust/member_edit.html", {"form": form, "member": member})


@trust_view(Action.MANAGE_MEMBERS)
@password_confirmation_required
def member_remove(request: HttpRequest, member_uuid: UUID) -> HttpResponse:
    member = _member(request, member_uuid)
    if request.method == "POST":
        try:
            services.membership_remove(membership=member, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{member.user} was removed from {request.trust.name}.")
        return redirect("member-list", trust_slug=request.trust.slug)
    return render(request, "trust/member_remove.html", {"member": member})


@require_POST
@trust_view(Action.MANAGE_MEMBERS)
def invitation_revoke(request: HttpRequest, invitation_uuid: UUID) -> HttpResponse:
    invitation = get_object_or_404(Invitation, trust=request.trust, uuid=invitation_uuid)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("member-list", trust_slug=request.trust.slug)


@trust_view(Action.USE_API_TOKENS)
def api_token_list(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = services.api_token_create(
                user=request.user, trust=request.trust, name=form.cleaned_data["name"]
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            form = ApiTokenForm()
    tokens = selectors.api_tokens_of(request.user, request.trust)
    fmt = request.GET.get("format")
    if request.method == "GET" and fmt in {"csv", "xlsx"}:
        # Never the key, nor its first characters: only what identifies the token to its owner.
        return export_response(
            headers=["Name", "Created", "Last used"],
            rows=[[t.name, _local(t.created_at), _local(t.last_used_at) or "never"] for t in tokens],
            filename=f"{request.trust.slug}-api-tokens",
            fmt=fmt,
        )
    return render(request, "trust/api_tokens.html", {"form": form, "tokens": tokens, "new_key": new_key})


@require_POST
@trust_view(Action.USE_API_TOKENS)
def api_token_revoke(request: HttpRequest, token_uuid: UUID) -> HttpResponse:
    token = get_object_or_404(ApiToken, trust=request.trust, user=request.user, uuid=token_uuid)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, f"The token “{token.name}” was revoked.")
    return redirect("api-token-list", trust_slug=request.trust.slug)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        return render(request, "trust/invitation_invalid.html", {"reason": "unknown"}, status=404)
    if not invitation.is_open:
        reason = "expired" if invitation.accepted_at is None and invitation.revoked_at is None else "used"
        return render(request, "trust/invitation_invalid.html", {"reason": reason}, status=410)

    user = request.user if request.user.is_authenticated else None
    has_account = user is None and User.objects.filter(email__iexact=invitation.email).exists()
    form = AcceptWithNewAccountForm(request.POST or None) if user is None and not has_account else None
    context = {
        "invitation": invitation,
        "form": form,
        "has_account": has_account,
        "login_url": f"{reverse('login')}?next={request.path}",
    }

    if request.method == "POST" and not has_account:
        if form is not None and not form.is_valid():
            return render(request, "trust/invitation_accept.html", context)
        try:
            membership = services.invitation_accept(
                invitation=invitation,
                user=user,
                full_name=form.cleaned_data["full_name"] if form else "",
                password=form.cleaned_data["password1"] if form else "",
            )
        except ValidationError as error:
            assert form is not None
            form.add_error("password1", error)
        except ApplicationError as error:
            messages.error(request, error.message)
            return render(
                request, "trust/invitation_invalid.html", {"reason": "refused", "message": error.message}, status=409
            )
        else:
            if user is None:
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {invitation.trust.name}.")
            return redirect("trust-home", trust_slug=invitation.trust.slug)
    return render(request, "trust/invitation_accept.html", context)
