#!/usr/bin/env bash
# Provision a Debian machine as an Etäpiste kiosk terminal.
#
#   sudo deploy/kiosk/provision-kiosk.sh --server wss://etapiste.example.fi/ws --ca ca.pem < token
#
# --hearing-loop: the site has an induction loop (the kiosk shows the sign);
# --helpline NUMBER: named to citizens when a kiosk device fails.
#
# The kiosk's device token (from `python -m signaling add-kiosk SITE NAME` on the server, or the
# dashboard) is read from standard input, never from the command line (which other users can
# see in ps). It is stored in /etc/etapiste/kiosk.token, mode 0600, owned by the kiosk user.
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

TOKEN="$(head -c 200 | tr -d '[:space:]')"
case "$TOKEN" in etk_*) ;; *) echo "standard input must carry the kiosk's device token (etk_...)" >&2; exit 2 ;; esac

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  cage python3 python3-venv alsa-utils v4l-utils fonts-dejavu-core libgl1 libegl1 \
  libxkbcommon0 libfontconfig1 libdbus-1-3 ca-certificates \
  espeak-ng festival festvox-suopuhe-lj libvoikko1 voikko-fi libasound2-data

id etapiste-kiosk >/dev/null 2>&1 || useradd --system --create-home --home-dir /var/lib/etapiste-kiosk \
  --shell /usr/sbin/nologin --groups video,audio,render,input etapiste-kiosk

install -d -m 0755 /opt/etapiste
cp -a "$SRC"/. /opt/etapiste/
rm -rf /opt/etapiste/.venv /opt/etapiste/.git
python3 -m venv /opt/etapiste/.venv
/opt/etapiste/.venv/bin/pip install -q --upgrade pip
/opt/etapiste/.venv/bin/pip install -q '/opt/etapiste[ui]'

install -d -m 0750 -o root -g etapiste-kiosk /etc/etapiste
umask 077
printf '%s\n' "$TOKEN" > /etc/etapiste/kiosk.token
chown etapiste-kiosk:etapiste-kiosk /etc/etapiste/kiosk.token
chmod 0600 /etc/etapiste/kiosk.token
if [ -n "$CA" ]; then install -m 0644 "$CA" /etc/etapiste/ca.pem; else
  ln -sf /etc/ssl/certs/ca-certificates.crt /etc/etapiste/ca.pem; fi
printf 'ETAPISTE_SERVER=%s\nQT_QPA_PLATFORM=wayland\nETAPISTE_HEARING_LOOP=%s\nETAPISTE_HELPLINE=%s\n' \
  "$SERVER" "$LOOP" "$HELPLINE" > /etc/etapiste/kiosk.env
chmod 0644 /etc/etapiste/kiosk.env

# Spoken guidance rendered ahead of time (the kiosk would otherwise do it on first start).
install -d -m 0755 -o etapiste-kiosk -g etapiste-kiosk /var/cache/etapiste-kiosk
runuser -u etapiste-kiosk -- /opt/etapiste/.venv/bin/python -m kiosk.speech \
  --cache /var/cache/etapiste-kiosk/speech

install -m 0644 /opt/etapiste/deploy/systemd/etapiste-kiosk.service /etc/systemd/system/
systemctl daemon-reload
systemctl disable --now getty@tty1.service 2>/dev/null || true
systemctl enable --now etapiste-kiosk.service
echo "kiosk provisioned: $(hostname) -> $SERVER"
