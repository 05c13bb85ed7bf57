"""``/book``: the public booking page (no login, no personal data): choose a matter and a
service point, pick a free time, get the code and its QR code; cancel by code.

Forms that change something (book, cancel) carry a double-submit token (cookie
``etapiste_book_csrf`` + hidden field, as the login form does), and every such request and
every look-up of a code takes a token from the client's bucket (codes are bearer secrets:
guessing them must be slow). Logs name a booking by id and code hint only.
"""

from __future__ import annotations

import hmac
import logging
import secrets

from aiohttp import web

from signaling.booking.qr import qr_svg
from signaling.booking_pages import ASSETS, Choice, Page, SlotChoice, page
from signaling.context import CTX, ServerContext
from signaling.dashboard_pages import secure_headers
from signaling.dashboard_texts import negotiate
from signaling.errors import BookingError
from signaling.form_body import read_form
from signaling.login_limits import LoginLimits
from wire.booking_code import normalise_code
from wire.types import LANGUAGES, Language

__all__ = ["add_routes"]

log = logging.getLogger("etapiste.booking")

CSRF_COOKIE = "etapiste_book_csrf"
DAYS_SHOWN = 14
LIMITS: web.AppKey[LoginLimits] = web.AppKey("booking_limits")


def _lang(request: web.Request, form_lang: str | None = None) -> Language:
    wanted = form_lang or request.query.get("lang")
    for lang in LANGUAGES:
        if wanted == lang:
            return lang
    return negotiate(None, request.headers.get("Accept-Language"))


def _page(request: web.Request, form_lang: str | None = None) -> Page:
    ctx = request.app[CTX]
    return page(_lang(request, form_lang), ctx.settings.timezone)


def _html(body: str, status: int = 200) -> web.Response:
    return secure_headers(web.Response(text=body, content_type="text/html", status=status))


def _with_csrf(request: web.Request, response: web.Response, token: str) -> web.Response:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="Strict",
                        secure=request.app[CTX].secure_cookies(request), path="/book",
                        max_age=3600)
    return response


def _csrf_ok(request: web.Request, given: str) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(given.encode(), cookie.encode())


def _allowed(request: web.Request) -> bool:
    ctx = request.app[CTX]
    return request.app[LIMITS].client_allowed(ctx.client(request), ctx.clock())


def _service_names(ctx: ServerContext, service_id: str, lang: Language) -> tuple[str, str]:
    service = next(s for s in ctx.catalogue.services if s.id == service_id)
    agency = next((a for a in ctx.catalogue.agencies if a.id == service.agency), None)
    names = service.names.model_dump()
    agency_name = agency.names.model_dump()[lang] if agency else service.agency
    return str(names[lang]), str(agency_name)


def _site_name(ctx: ServerContext, site_id: str, lang: Language) -> str:
    site = ctx.store.site(site_id)
    if site is None:
        return site_id
    return {"fi": site.name_fi, "sv": site.name_sv, "en": site.name_en}[lang]


def _choices(ctx: ServerContext, p: Page) -> tuple[list[Choice], list[Choice]]:
    services = []
    order = {s.id: i for i, s in enumerate(ctx.catalogue.services)}
    caps = sorted(ctx.booking_office.bookable(), key=lambda c: (
        order.get(c.service_id, 0), c.language != p.lang, LANGUAGES.index(c.language)))
    for cap in caps:
        name, agency = _service_names(ctx, cap.service_id, p.lang)
        label = f"{name} {p.say(f'language.{cap.language}')}"
        services.append(Choice(f"{cap.service_id}:{cap.language}", label, agency))
    sites = [Choice(site_id, _site_name(ctx, site_id, p.lang))
             for site_id in ctx.booking_office.sites_with_kiosks()]
    sites.sort(key=lambda c: c.label)
    return services, sites


def _matter(ctx: ServerContext, q: str) -> tuple[str, str] | None:
    service_id, _, language = q.partition(":")
    bookable = {(c.service_id, c.language) for c in ctx.booking_office.bookable()}
    return (service_id, language) if (service_id, language) in bookable else None


async def choose(request: web.Request) -> web.Response:
    """``GET /book``: what and where."""
    ctx, p = request.app[CTX], _page(request)
    services, sites = _choices(ctx, p)
    return _html(p.choose(services, sites))


async def slots(request: web.Request, error: str = "", p: Page | None = None,
                q: str | None = None, site: str | None = None) -> web.Response:
    """``GET /book/slots?q=service:lang&site=...``: free times."""
    ctx = request.app[CTX]
    p = p or _page(request)
    q = q if q is not None else request.query.get("q", "")
    site = site if site is not None else request.query.get("site", "")
    matter = _matter(ctx, q)
    if matter is None or site not in ctx.booking_office.sites_with_kiosks():
        services, sites = _choices(ctx, p)
        return _html(p.choose(services, sites, "choose.missing"), 400)
    now = ctx.clock()
    free = ctx.booking_office.slots(matter[0], matter[1], site, now, days=DAYS_SHOWN)
    seen: set[float] = set()
    choices = []
    for slot in free:
        if slot.start not in seen:  # one button per time (several kiosks or clerks)
            seen.add(slot.start)
            choices.append(SlotChoice(slot.start, p.slot(slot.start)))
    name, _agency = _service_names(ctx, matter[0], p.lang)
    heading = p.say("slots.for", service=name, language=p.say(f"language.{matter[1]}"),
                  site=_site_name(ctx, site, p.lang))
    token = secrets.token_urlsafe(24)
    body = p.slots(heading, choices, {"q": q, "site": site}, token,
                   {"q": q, "site": site}, error)
    return _with_csrf(request, _html(body, 409 if error else 200), token)


async def book(request: web.Request) -> web.Response:
    """``POST /book``: take the slot; the confirmation with the code."""
    ctx = request.app[CTX]
    form = await read_form(request)
    p = _page(request, str(form.get("lang", "")))
    q, site = str(form.get("q", ""))[:100], str(form.get("site", ""))[:64]
    if not _csrf_ok(request, str(form.get("csrf", ""))):
        return await slots(request, "error.expired", p, q, site)
    if not _allowed(request):
        return _html(p.cancel("", "error.too_many"), 429)
    matter = _matter(ctx, q)
    try:
        start = float(str(form.get("start", "")))
    except ValueError:
        start = -1.0
    if matter is None or start <= 0:
        services, sites = _choices(ctx, p)
        return _html(p.choose(services, sites, "error.bad"), 400)
    now = ctx.clock()
    try:
        made = ctx.booking_office.make(matter[0], matter[1], site, start, now, made_by="public")
    except BookingError:
        return await slots(request, "error.taken", p, q, site)
    if ctx.routing:
        ctx.hub.bookings.external_change(made.booking, now)
    return _confirmation(ctx, p, made.code, made.booking.start_at, site, matter)


def _confirmation(ctx: ServerContext, p: Page, code: str, start: float, site: str,
                  matter: tuple[str, str]) -> web.Response:
    name, agency = _service_names(ctx, matter[0], p.lang)
    svg = qr_svg(ctx.booking_office.qr_payload(code), scale=6)
    early = int(ctx.settings.booking_early_s // 60)
    body = p.confirmation(code, start, _site_name(ctx, site, p.lang), f"{name} ({agency})",
                          p.say(f"language.{matter[1]}"), svg, early)
    return _html(body)


async def show(request: web.Request) -> web.Response:
    """``GET /book/{code}``: what a booking's QR code opens: the ticket again."""
    ctx, p = request.app[CTX], _page(request)
    if not _allowed(request):
        return _html(p.cancel("", "error.too_many"), 429)
    code = normalise_code(request.match_info["code"])
    found = ctx.booking_office.find(code) if code else None
    if found is None or code is None or found.state not in ("booked", "checked_in"):
        raise web.HTTPNotFound(text="no such booking")
    return _confirmation(ctx, p, code, found.start_at, found.site_id,
                         (found.service_id, found.language))


async def cancel_form(request: web.Request) -> web.Response:
    """``GET /book/cancel``."""
    p, token = _page(request), secrets.token_urlsafe(24)
    return _with_csrf(request, _html(p.cancel(token)), token)


async def cancel(request: web.Request) -> web.Response:
    """``POST /book/cancel``: cancel by code."""
    ctx = request.app[CTX]
    form = await read_form(request)
    p = _page(request, str(form.get("lang", "")))
    token = secrets.token_urlsafe(24)

    def answer(message: str, status: int, ok: bool = False) -> web.Response:
        return _with_csrf(request, _html(p.cancel(token, message, ok), status), token)

    if not _csrf_ok(request, str(form.get("csrf", ""))):
        return answer("error.expired", 403)
    if not _allowed(request):
        return answer("error.too_many", 429)
    found = ctx.booking_office.find(str(form.get("code", ""))[:300])
    if found is None:
        return answer("cancel.unknown", 404)
    now = ctx.clock()
    if found.state != "booked":
        return answer("cancel.not_now", 409)
    try:
        done = ctx.booking_office.cancel(found, now, by="public")
    except BookingError:
        return answer("cancel.not_now", 409)
    if ctx.routing:
        ctx.hub.bookings.external_change(done, now)
    return answer("cancel.done", 200, ok=True)


async def static(request: web.Request) -> web.Response:
    """The page's stylesheet and print script."""
    name = request.match_info["name"]
    kinds = {"book.css": "text/css", "book.js": "text/javascript"}
    if name not in kinds:
        raise web.HTTPNotFound()
    response = web.Response(body=(ASSETS / name).read_bytes(), content_type=kinds[name])
    response.headers["Cache-Control"] = "max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def add_routes(app: web.Application) -> None:
    """Register the public booking page."""
    app[LIMITS] = LoginLimits(rate=0.2, burst=20)
    app.router.add_get("/book", choose)
    app.router.add_get("/book/slots", slots)
    app.router.add_post("/book", book)
    app.router.add_get("/book/cancel", cancel_form)
    app.router.add_post("/book/cancel", cancel)
    app.router.add_get("/book/static/{name}", static)
    app.router.add_get("/book/{code}", show)


