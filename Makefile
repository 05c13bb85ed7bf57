# Etäpiste: `make demo` runs the system, `make test` runs every check. Both set up what is
# missing (virtualenv, Debian packages) and skip what is already there.
PY      := .venv/bin/python
STAMP   := .venv/.installed
SYSDEPS := /usr/bin/chromium /usr/bin/turnserver /usr/sbin/nft
export QT_QPA_PLATFORM ?= offscreen
export PYTHONDONTWRITEBYTECODE = 1

.PHONY: all demo test lint typecheck pytest schema bench bench-all screenshots sysdeps venv clean

all: test

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# Debian packages for browser tests, TURN and network-namespace tests; one apt-get update.
sysdeps:
	@missing=""; for f in $(SYSDEPS); do [ -e $$f ] || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages (chromium coturn nftables iproute2)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium coturn nftables iproute2 iptables >/dev/null; \
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
	$(PY) bench/kiosk_ui_call.py
	$(PY) bench/console_ui_call.py
	$(PY) bench/network_scenarios.py
	$(PY) bench/login_stall.py

# PNGs of every kiosk screen in every language, every console state, every dashboard page.
SHOTS ?= screenshots
screenshots: $(STAMP) sysdeps
	$(PY) -m tools.kiosk_screenshots $(SHOTS)/kiosk
	$(PY) -m tools.console_screenshots $(SHOTS)/console
	$(PY) -m tools.dashboard_screenshots $(SHOTS)/dashboard

clean:
	rm -rf .venv .demo .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
