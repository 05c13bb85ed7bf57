"""Server settings from environment variables (``ETAPISTE_*``) and an optional TOML file.

Precedence, highest first: constructor arguments, environment, the TOML file named by
``ETAPISTE_CONFIG``, defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from signaling.client_address import parse_networks

_ROOT = Path(__file__).resolve().parent.parent


class IceServerSetting(BaseModel):
    """A STUN or TURN server handed to clients; TURN credentials are minted per call."""

    urls: list[str]
    turn_secret: str | None = Field(default=None, description="coturn static-auth-secret")


class Settings(BaseSettings):
    """Everything the signaling server can be configured with."""

    model_config = SettingsConfigDict(env_prefix="ETAPISTE_", env_nested_delimiter="__")

    host: str = "127.0.0.1"
    port: int = Field(default=8443, ge=0, le=65535)
    data_dir: Path = Path("data")
    database: str | None = Field(
        default=None,
        description="a postgresql:// URL: several nodes share it (deploy/README.md, 'Several "
        "nodes'); unset: SQLite in data_dir, for one node. Holds a password: never logged",
        repr=False,
    )
    node_id: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_.-]{1,40}$",
        description="this node's name among several (default: host name and port)",
    )
    session_key_file: Path | None = Field(
        default=None,
        description="the key that signs clerks' session tokens; every node of a cluster needs "
        "the same one (default: session.key in data_dir, made on first start)",
    )
    audit_key_file: Path | None = Field(
        default=None,
        description="the key of the audit log's hash chain; every node of a cluster needs the "
        "same one (default: audit.key in data_dir, made on first start)",
    )
    catalogue: Path = _ROOT / "deploy" / "catalogue.toml"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    tls_cert: Path | None = None
    tls_key: Path | None = None

    heartbeat_interval_s: float = Field(default=5.0, gt=0)
    heartbeat_timeout_s: float = Field(
        default=12.0,
        gt=0,
        description="silence after which a peer is dead: two missed pings plus margin, so with "
        "the 0.5 s sweep a dead peer is found within 12.5 s (the promise is 15 s)",
    )
    gc_mode: Literal["timed", "automatic"] = Field(
        default="timed",
        description="timed: after startup the automatic collector is off and the server "
        "collects the young generation every gc_young_interval_s and everything every "
        "gc_full_interval_s (signaling.gc_tuning says why); automatic: Python's collector "
        "with gc_thresholds",
    )
    gc_young_interval_s: float = Field(default=0.1, gt=0, le=10)
    gc_full_interval_s: float = Field(default=600.0, gt=0)
    gc_thresholds: tuple[int, int, int] = Field(
        default=(10_000, 50, 100),
        description="the collector's generation thresholds (gc.set_threshold) with "
        "gc_mode automatic",
    )
    gc_freeze: bool = Field(
        default=True,
        description="after startup (modules, catalogue, restored state) move every object to "
        "the collector's permanent generation (gc.freeze): they live as long as the process, "
        "and full collections then skip them",
    )
    rate_limit_per_s: float = Field(default=20.0, gt=0)
    rate_limit_burst: int = Field(default=60, ge=1)
    abuse_errors: int = Field(default=20, ge=1, description="errors within abuse_window_s → 1008")
    abuse_window_s: float = Field(default=10.0, gt=0)
    handshake_timeout_s: float = Field(default=10.0, gt=0)
    shutdown_grace_s: float = Field(default=5.0, ge=0)
    session_ttl_s: float = Field(default=8 * 3600, gt=0)
    allowed_origins: list[str] = Field(default_factory=list)
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses or networks of reverse proxies whose X-Forwarded-For is believed "
        "(the documented nginx on the same host: 127.0.0.1)",
    )
    login_rate_per_s: float = Field(default=1.0, gt=0, description="login attempts per client")
    login_burst: int = Field(default=10, ge=1)
    login_failures_per_user: int = Field(
        default=10, ge=1, description="failed logins of one username before it must wait"
    )
    login_failure_refill_s: float = Field(
        default=60.0, gt=0, description="one more try for a username every this many seconds"
    )
    password_workers: int = Field(
        default=1, ge=1, le=16, description="threads checking passwords (argon2) off the loop"
    )
    password_queue: int = Field(
        default=8, ge=0, le=1000, description="password checks that may wait; more get 503"
    )
    revocation_poll_s: float = Field(
        default=1.0, gt=0, le=4.0,
        description="how often revocations written by anyone (CLI, other nodes) are read",
    )
    secure_cookies: bool = Field(
        default=False,
        description="mark session cookies Secure although requests arrive over plain HTTP: set "
        "it behind a TLS proxy (deploy/nginx), which is how browsers reach the server",
    )

    offer_timeout_s: float = Field(default=20.0, gt=0)
    wrapup_s: float = Field(default=30.0, ge=0)
    max_missed_offers: int = Field(default=3, ge=1)
    kiosk_grace_s: float = Field(default=60.0, ge=0)
    call_grace_s: float = Field(default=20.0, ge=0)
    escalation_step_s: float = Field(default=300.0, gt=0)
    decline_cooloff_s: float = Field(
        default=30.0, ge=0,
        description="a clerk who rejected a citizen's offer is not offered them again for "
        "this long",
    )
    position_interval_s: float = Field(
        default=1.0, ge=0,
        description="queue positions to a waiting kiosk: its latest at most once per interval",
    )
    always_open: bool = Field(
        default=False, description="ignore opening hours (demos and tests outside office hours)"
    )

    # Appointments (signaling.booking): the check-in windows around a booked slot's start.
    booking_early_s: float = Field(
        default=900.0, ge=0, description="check-in opens this long before a booked slot"
    )
    booking_late_s: float = Field(
        default=600.0, ge=0,
        description="check-in closes this long after the start; then the booking is a no-show",
    )
    booking_named_wait_s: float = Field(
        default=300.0, ge=0,
        description="how long only the booked clerk is offered the citizen before any clerk",
    )
    public_url: str = Field(
        default="", max_length=200,
        description="the server's public address (https://...): booking QR codes hold "
        "<public_url>/book/<code>; empty: the bare code",
    )

    dispositions: list[str] = Field(
        default_factory=lambda: [
            "resolved",
            "guided_to_eservice",
            "referred",
            "appointment_booked",
            "callback_needed",
            "no_show",
            "other",
        ],
        description="wrap-up disposition codes offered to agents",
    )
    timezone: str = "Europe/Helsinki"

    # Operator dashboard and monitoring (signaling.monitor, signaling.web_dashboard).
    service_level_threshold_s: float = Field(default=180.0, gt=0)
    kiosk_health_interval_s: float = Field(default=10.0, gt=0, description="kiosk health period")
    kiosk_offline_missed: int = Field(default=2, ge=1, description="missed reports → offline")
    longest_wait_alert_s: float = Field(default=600.0, gt=0)
    call_failure_alert_count: int = Field(default=3, ge=1, description="failed calls in a row")
    unserved_language_alert_s: float = Field(
        default=60.0, ge=0, description="wait with no clerk for the queue's language → alert"
    )
    metrics_token: str | None = Field(
        default=None,
        description="bearer token for /metrics; without it only a server listening on loopback "
        "answers, and only requests that did not come through a proxy",
    )

    # Retention (deploy/README.md gives the reason for each default; the kiosk's privacy
    # notice states them, tests/server/test_privacy_notice.py keeps the two in step).
    retention_calls_days: int = Field(default=730, ge=1, description="call records")
    retention_notes_days: int = Field(default=30, ge=1, description="clerks' wrap-up notes")
    retention_audit_days: int = Field(default=730, ge=1, description="audit log rows")
    retention_sessions_days: int = Field(
        default=30, ge=1, description="login sessions, after they expired or were revoked"
    )
    retention_photos_days: int = Field(
        default=7, ge=1, description="document photos a clerk saved on the console's computer"
    )
    retention_interval_s: float = Field(default=3600.0, gt=0, description="purge period")
    retention_callback_numbers_days: int = Field(
        default=7, ge=1, le=14,
        description="longest a callback number is kept, even if its task is still open (a "
        "task ends, and its number goes, by the end of the promised day)",
    )

    # Callback requests (issue 14; signaling.routing.callbacks).
    callback_offer_timeout_s: float = Field(default=20.0, gt=0)
    callback_retry_after_s: float = Field(
        default=900.0, ge=0, description="a task after no answer waits this long in the pool"
    )
    callback_max_attempts: int = Field(default=3, ge=1, le=10)
    callback_min_left_s: float = Field(
        default=3600.0, ge=0,
        description="a request is promised for today only with this much of today's hours left",
    )
    # Calls of three or four members (issue 15; signaling.routing.members).
    member_offer_timeout_s: float = Field(
        default=20.0, gt=0, le=300,
        description="how long an invitation rings one clerk or interpreter before it ends (by "
        "name) or rings the next one (a service's queue, an interpreters' pool)",
    )
    member_grace_s: float = Field(
        default=20.0, ge=0, le=600,
        description="how long an added member (interpreter, second clerk, supervisor) whose "
        "link dropped stays in the call before they are out; also their time to come back "
        "after a server restart",
    )
    # Staffing forecast for planners (signaling.planning, /dashboard/forecast): the defaults
    # of its form.
    forecast_target_level: float = Field(
        default=0.8, gt=0, lt=1, description="share of citizens to answer within the target"
    )
    forecast_target_s: float = Field(default=300.0, gt=0, description="the target wait")
    forecast_weeks: int = Field(default=4, ge=1, le=13, description="weeks of call records")

    ice_servers: list[IceServerSetting] = Field(default_factory=list)
    ice_transport_policy: Literal["all", "relay"] = "all"
    turn_credential_ttl_s: int = Field(default=3600, ge=60)

    @field_validator("gc_thresholds")
    @classmethod
    def _thresholds(cls, value: tuple[int, int, int]) -> tuple[int, int, int]:
        if value[0] < 1 or value[1] < 0 or value[2] < 0:
            raise ValueError("gc_thresholds: the first must be >= 1, the others >= 0")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        parse_networks(value)  # ValueError names the bad entry
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Add the TOML file named by ``ETAPISTE_CONFIG`` below the environment."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = os.environ.get("ETAPISTE_CONFIG")
        if config:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config)))
        return tuple(sources)
