# Etäpiste: `make demo` runs the system, `make test` runs every check. Both set up what is
# missing (virtualenv, Debian packages) and skip what is already there.
PY      := .venv/bin/python
STAMP   := .venv/.installed
# Debian packages the tests need: Chromium, coturn and namespaces for the browser and network
# tests; PostgreSQL for the store on both databases and the cluster tests (a throwaway cluster
# per test session, made with initdb and run as the postgres user); for the deploy tests a virtual screen and keyboard, a Debian base for throwaway roots
# (Weston, nginx and the rest of a kiosk or server are installed inside them, as on real
# machines) and systemd-nspawn to boot them, podman; Qt's xcb libraries for the demo's windows;
# the kiosk's spoken guidance (espeak-ng, Festival's Finnish voice), Finnish hyphenation
# (Voikko) and ALSA's configuration.
SYSDEPS := chromium coturn postgresql nginx nftables iproute2 iptables openssl xvfb xdotool x11-utils mmdebstrap \
           systemd-container podman runc libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
           libxcb-render-util0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0 \
           libxcb-cursor0 espeak-ng festival festvox-suopuhe-lj libvoikko1 voikko-fi \
           libasound2-data
export QT_QPA_PLATFORM ?= offscreen
export PYTHONDONTWRITEBYTECODE = 1

.PHONY: all demo test test-deploy lint typecheck pytest schema bench bench-all screenshots sysdeps \
        venv clean

all: test

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# One apt-get update, and only when a package is missing.
sysdeps:
	@installed=$$(dpkg-query -W -f='$${Status}\n' $(SYSDEPS) 2>/dev/null | grep -c 'install ok installed'); \
	if [ "$$installed" -ne "$(words $(SYSDEPS))" ]; then \
	  echo "installing Debian packages: $(SYSDEPS)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    $(SYSDEPS) >/dev/null; \
	fi

# ruff, then the architecture rules (import-linter contracts in pyproject.toml).
lint: $(STAMP)
	$(PY) -m ruff check signaling wire jsonlog i18n client_core client_qt kiosk agent_console demo tools tests bench
	.venv/bin/lint-imports

typecheck: $(STAMP)
	$(PY) -m mypy --strict

pytest: $(STAMP) sysdeps
	$(PY) -m pytest -q -p no:cacheprovider

test: lint typecheck pytest

# Only the deploy tests (part of `make test`): units, provisioning, TLS, TURN on 443, container.
test-deploy: $(STAMP) sysdeps
	$(PY) -m pytest -q -p no:cacheprovider tests/deploy

demo: $(STAMP) sysdeps
	$(PY) -m demo

schema: $(STAMP)
	$(PY) -m wire.schema

bench: $(STAMP)
	$(PY) bench/signaling_load.py

# Every benchmark; each writes bench/results/NAME.json and prints a table.
bench-all: $(STAMP) sysdeps
	$(PY) bench/signaling_load.py
	$(PY) bench/call_media.py
	$(PY) bench/router_events.py
	$(PY) bench/sim_day.py
	$(PY) bench/kiosk_ui_call.py
	$(PY) bench/console_ui_call.py
	$(PY) bench/network_scenarios.py
	$(PY) bench/link_quality.py
	$(PY) bench/login_stall.py

# PNGs of every kiosk screen in every language, every console state, every dashboard page.
SHOTS ?= screenshots
screenshots: $(STAMP) sysdeps
	$(PY) -m tools.kiosk_screenshots $(SHOTS)/kiosk
	$(PY) -m tools.console_screenshots $(SHOTS)/console
	$(PY) -m tools.console_member_screenshots $(SHOTS)/console-members
	$(PY) -m tools.dashboard_screenshots $(SHOTS)/dashboard

clean:
	rm -rf .venv .demo .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
