"""``/dashboard/password``: an operator or admin sets a new password.

After an admin's reset, the temporary password opens only this page (see
:meth:`signaling.dashboard_pages.Dashboard.require`); anyone may also come here to change
theirs. The current password is asked again (a stolen session alone cannot take the account
over); the check and the new hash run in the server's password pool. Every session of the
account ends; this browser gets a new one.
"""

from __future__ import annotations

from aiohttp import web

from signaling.credentials import PasswordRefused
from signaling.dashboard_pages import DASHBOARD, Dashboard, e
from signaling.errors import BadCredentials
from signaling.identity import Principal
from signaling.password_pool import PoolBusy

__all__ = ["add_routes"]


def _page(dash: Dashboard, request: web.Request, principal: Principal, error: str = "",
          status: int = 200) -> web.Response:
    t = dash.texts(request)
    intro = "password.must_change" if principal.must_change_password else "password.intro"
    notice = f'<p class="error" role="alert">{e(t.t(f"password.{error}"))}</p>' if error else ""
    content = dash.render(
        "password.html", t.lang,
        notice=notice, intro=e(t.t(intro)), csrf=e(dash.csrf_token(principal)),
    )
    return dash.page(request, principal, "password", content, status=status)


async def password_page(request: web.Request) -> web.Response:
    """``GET /dashboard/password``."""
    dash = request.app[DASHBOARD]
    return _page(dash, request, dash.require(request, password_page=True))


async def password_submit(request: web.Request) -> web.Response:
    """``POST /dashboard/password``."""
    dash = request.app[DASHBOARD]
    ctx = dash.ctx
    principal, form = await dash.require_post(request, password_page=True)
    new = form.get("new_password", "")
    if new != form.get("new_password_again", ""):
        return _page(dash, request, principal, "mismatch", 400)
    now = ctx.clock()
    if not ctx.login_limits.username_allowed(principal.label, now):
        return _page(dash, request, principal, "too_many", 429)
    try:
        token, expires_at, _fresh = await ctx.auth.change_password(
            principal, form.get("current_password", ""), new, now, client=ctx.client(request)
        )
    except PasswordRefused:
        return _page(dash, request, principal, "refused", 400)
    except BadCredentials:
        ctx.login_limits.failed(principal.label, now)
        return _page(dash, request, principal, "wrong_current", 401)
    except PoolBusy:
        return _page(dash, request, principal, "busy", 503)
    ctx.check_revocations()
    response = web.Response(status=303, headers={"Location": "/dashboard/kiosks"})
    response.set_cookie(
        ctx.auth.cookie_name, token, httponly=True, samesite="Strict",
        secure=ctx.secure_cookies(request), max_age=int(expires_at - now), path="/",
    )
    return response


def add_routes(app: web.Application) -> None:
    """Register the password page."""
    app.router.add_get("/dashboard/password", password_page)
    app.router.add_post("/dashboard/password", password_submit)
