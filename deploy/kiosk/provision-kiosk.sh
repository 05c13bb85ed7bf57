#!/usr/bin/env bash
# Provision a Debian 12 machine as an Etäpiste kiosk terminal.
#
#   sudo deploy/kiosk/provision-kiosk.sh --server wss://etapiste.example.fi/ws --ca ca.pem < token
#
# --hearing-loop: the site has an induction loop (the kiosk shows the sign);
# --helpline NUMBER: named to citizens when a kiosk device fails.
#
# The kiosk's device token (from `python -m signaling add-kiosk SITE NAME` on the server, or the
# dashboard) is read from standard input, never from the command line (which other users can
# see in ps). It is stored in /etc/etapiste/kiosk.token, mode 0600, owned by the kiosk user.
#
# What it does: installs Weston and Debian's Python, the app into /opt/etapiste (a virtualenv
# on /usr/bin/python3, which the unprivileged kiosk user can run), the kiosk user, the token,
# the CA, the compositor config and etapiste-kiosk.service; closes the ways out of the kiosk
# (no getty on tty1 or on other VTs, no SysRq); enables the unit and starts it (at the next
# boot when run in a chroot to build an image).
set -euo pipefail

SERVER=""
CA=""
LOOP=0
HELPLINE=""
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
while [ $# -gt 0 ]; do
  case "$1" in
    --server) SERVER="$2"; shift 2 ;;
    --ca) CA="$2"; shift 2 ;;
    --source) SRC="$2"; shift 2 ;;
    --hearing-loop) LOOP=1; shift ;;
    --helpline) HELPLINE="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$SERVER" ] || { echo "--server wss://HOST/ws is required" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 2; }
case "$SERVER" in wss://*) ;; *) echo "the server URL must be wss:// (TLS)" >&2; exit 2 ;; esac
[ -z "$CA" ] || [ -r "$CA" ] || { echo "cannot read the CA file $CA" >&2; exit 2; }

TOKEN="$(head -c 200 | tr -d '[:space:]')"
case "$TOKEN" in etk_*) ;; *) echo "standard input must carry the kiosk's device token (etk_...)" >&2; exit 2 ;; esac

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# weston: the compositor (kiosk shell, DRM backend); udev: its input and screen devices;
# libpam-systemd + dbus: the logind session Weston takes them from; the libraries Qt's Wayland
# platform loads; espeak-ng and Festival's Finnish voice for spoken guidance, Voikko for
# Finnish hyphenation, ALSA's configuration for the speaker.
apt-get install -y -qq --no-install-recommends \
  weston udev python3 python3-venv dbus libpam-systemd alsa-utils v4l-utils fonts-dejavu-core \
  libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libwayland-client0 \
  libwayland-cursor0 libwayland-egl1 ca-certificates \
  espeak-ng festival festvox-suopuhe-lj libvoikko1 voikko-fi libasound2-data >/dev/null

for group in video audio render input; do getent group $group >/dev/null || groupadd --system $group; done
id etapiste-kiosk >/dev/null 2>&1 || useradd --system --create-home --home-dir /var/lib/etapiste-kiosk \
  --shell /usr/sbin/nologin --groups video,audio,render,input etapiste-kiosk

# The app: a fresh copy of the source (no virtualenv, VCS or caches from the checkout) and a
# virtualenv on Debian's own Python.
rm -rf /opt/etapiste
install -d -m 0755 /opt/etapiste
tar -C "$SRC" --exclude=./.venv --exclude=./.git --exclude='__pycache__' --exclude=./build \
  --exclude='*.egg-info' --exclude=./.demo --exclude=./screenshots -cf - . | tar -C /opt/etapiste -xf -
/usr/bin/python3 -m venv /opt/etapiste/.venv
/opt/etapiste/.venv/bin/pip install -q --upgrade pip
/opt/etapiste/.venv/bin/pip install -q '/opt/etapiste[ui]'
chmod -R a+rX /opt/etapiste

install -d -m 0750 -o root -g etapiste-kiosk /etc/etapiste
umask 077
printf '%s\n' "$TOKEN" > /etc/etapiste/kiosk.token
chown etapiste-kiosk:etapiste-kiosk /etc/etapiste/kiosk.token
chmod 0600 /etc/etapiste/kiosk.token
if [ -n "$CA" ]; then install -m 0644 "$CA" /etc/etapiste/ca.pem; else
  ln -sf /etc/ssl/certs/ca-certificates.crt /etc/etapiste/ca.pem; fi
printf 'ETAPISTE_SERVER=%s\nETAPISTE_HEARING_LOOP=%s\nETAPISTE_HELPLINE=%s\n' \
  "$SERVER" "$LOOP" "$HELPLINE" > /etc/etapiste/kiosk.env
chmod 0644 /etc/etapiste/kiosk.env
install -m 0644 /opt/etapiste/deploy/kiosk/weston.ini /etc/etapiste/weston.ini

# No way out: no login prompt on tty1 (the kiosk's VT) nor on any other VT logind would start
# on demand, and no magic SysRq keys.
install -d -m 0755 /etc/systemd/logind.conf.d
printf '[Login]\nNAutoVTs=0\nReserveVT=0\n' > /etc/systemd/logind.conf.d/etapiste-kiosk.conf
printf 'kernel.sysrq = 0\n' > /etc/sysctl.d/90-etapiste-kiosk.conf
chmod 0644 /etc/systemd/logind.conf.d/etapiste-kiosk.conf /etc/sysctl.d/90-etapiste-kiosk.conf

# Spoken guidance rendered ahead of time (the kiosk would otherwise do it on first start).
install -d -m 0755 -o etapiste-kiosk -g etapiste-kiosk /var/cache/etapiste-kiosk
runuser -u etapiste-kiosk -- /opt/etapiste/.venv/bin/python -m kiosk.speech \
  --cache /var/cache/etapiste-kiosk/speech

install -m 0644 /opt/etapiste/deploy/systemd/etapiste-kiosk.service /etc/systemd/system/
systemctl mask getty@tty1.service
systemctl set-default graphical.target
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now etapiste-kiosk.service
  echo "kiosk provisioned and started: $(hostname) -> $SERVER"
else
  # An image being built in a chroot (no systemd running): the kiosk starts at first boot.
  systemctl enable etapiste-kiosk.service
  echo "kiosk provisioned (systemd is not running here: it starts at boot) -> $SERVER"
fi
