"""The admin page's account forms: add an account, change an agent's services, disable or
enable an account, reset a password (admins only, each audited by :mod:`signaling.admin`).

Passwords are hashed in the server's password pool, never on the event loop. A reset shows
the temporary password once, on the page that answers the form; the user must replace it at
the next login (the agent console and the dashboard both ask for it). Disabling an account or
resetting its password ends its sessions: its live connections close within a second.
"""

from __future__ import annotations

from aiohttp import web

from signaling.admin import (
    AdminError,
    add_account,
    find_account,
    reset_password,
    set_account_enabled,
    set_skills,
    temporary_password,
)
from signaling.admin_page import done, refused, render_admin, secret_box, split
from signaling.credentials import PasswordRefused, check_new_password, hash_password
from signaling.dashboard_pages import DASHBOARD
from signaling.password_pool import PoolBusy
from signaling.store.records import ROLES, Role

__all__ = ["add_routes"]


async def _hash(request: web.Request, password: str) -> str:
    ctx = request.app[DASHBOARD].ctx
    try:
        check_new_password(password)
        return await ctx.passwords.run(hash_password, password, ctx.auth.hasher)
    except PasswordRefused as exc:
        raise refused(str(exc)) from None
    except PoolBusy:
        raise refused("the server is busy checking passwords; try again") from None


async def account(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/accounts``."""
    dash = request.app[DASHBOARD]
    principal, form = await dash.require_post(request, admin=True)
    wanted = form.get("role", "agent")
    role: Role = wanted if wanted in ROLES else "agent"
    password = form.get("password", "")
    password_hash = await _hash(request, password)
    try:
        add_account(
            dash.ctx.store, principal.label, form.get("username", ""),
            form.get("display_name", ""), role, password,
            split(form.get("skills", "")), split(form.get("languages", "fi")),
            now=dash.ctx.clock(), password_hash=password_hash,
        )
    except AdminError as exc:
        raise refused(str(exc)) from None
    raise done("account_added", form.get("username", ""))


async def skills(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/skills``."""
    dash = request.app[DASHBOARD]
    principal, form = await dash.require_post(request, admin=True)
    languages = form.get("languages", "").strip()
    try:
        set_skills(
            dash.ctx.store, principal.label, form.get("username", ""),
            split(form.get("skills", "")), split(languages) if languages else None,
            now=dash.ctx.clock(),
        )
    except AdminError as exc:
        raise refused(str(exc)) from None
    dash.ctx.directory.forget()
    raise done("skills_saved", form.get("username", ""))


async def enable(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/accounts/{username}/disable`` or ``/enable``."""
    dash = request.app[DASHBOARD]
    principal, _form = await dash.require_post(request, admin=True)
    username, on = request.match_info["username"], request.path.endswith("/enable")
    try:
        if find_account(dash.ctx.store, username).id == principal.id:
            # Not from here (no button is offered either): the last admin would lock
            # everyone out. Another admin or the command line can.
            raise AdminError("you cannot disable or enable your own account here")
        set_account_enabled(dash.ctx.store, principal.label, username, on, now=dash.ctx.clock())
    except AdminError as exc:
        raise refused(str(exc)) from None
    dash.ctx.check_revocations()
    dash.ctx.directory.forget()
    raise done("account_enabled" if on else "account_disabled", username)


async def reset(request: web.Request) -> web.Response:
    """``POST /dashboard/admin/accounts/{username}/reset``: a temporary password, shown once."""
    dash = request.app[DASHBOARD]
    principal, _form = await dash.require_post(request, admin=True)
    username = request.match_info["username"]
    password = temporary_password()
    password_hash = await _hash(request, password)
    try:
        reset_password(dash.ctx.store, principal.label, username, password,
                       now=dash.ctx.clock(), password_hash=password_hash)
    except AdminError as exc:
        raise refused(str(exc)) from None
    dash.ctx.check_revocations()
    box = secret_box(dash.texts(request), "reset_heading", "reset_text", password,
                     user=username[:40])
    return render_admin(dash, request, principal, "", "", box)


def add_routes(app: web.Application) -> None:
    """Register the account forms."""
    r = app.router
    r.add_post("/dashboard/admin/accounts", account)
    r.add_post("/dashboard/admin/skills", skills)
    r.add_post("/dashboard/admin/accounts/{username}/disable", enable)
    r.add_post("/dashboard/admin/accounts/{username}/enable", enable)
    r.add_post("/dashboard/admin/accounts/{username}/reset", reset)
