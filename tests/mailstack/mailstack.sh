#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/mailstack/mailstack.sh - a private Postfix + Dovecot on loopback for mailverify's tests.
#
# Usage: mailstack.sh start | stop | status | env | restart
#   start    generate CA/certificate, users and configuration (first start), start Dovecot and
#            Postfix, wait until every port answers (bounded), write $MAILSTACK_DIR/env.
#            Running it while the stack is up is a no-op ("already running").
#   stop     stop exactly the daemons this stack started (pid files in $MAILSTACK_DIR). Idempotent.
#   status   probe every port, one line per service; exit 0 only if all are up.
#   env      print shell-sourceable `export NAME='value'` lines (same as $MAILSTACK_DIR/env):
#              eval "$(tests/mailstack/mailstack.sh env)"
#
# Needs root (Postfix and Dovecot masters run as root and drop privileges). Never touches the
# system-wide /etc/postfix or /etc/dovecot configuration, nor the system daemons.
#
# Environment (read by start; later commands use the values recorded by start):
#   MAILSTACK_DIR                   state/config dir (default: <repo>/.mailstack); keep it short,
#                                   Dovecot's unix sockets live below it (108-byte path limit)
#   MAILSTACK_PORT_BASE             default 10000; each port below defaults to base + N
#   MAILSTACK_SMTP_SUBMISSION_PORT  base+587  SMTP submission, STARTTLS required, AUTH only after TLS
#   MAILSTACK_SMTPS_PORT            base+465  SMTP submission, implicit TLS, AUTH
#   MAILSTACK_SMTP_PORT             base+25   plain SMTP (MX-like): STARTTLS offered, no AUTH,
#                                             accepts mail only for mailverify.test (no relay)
#   MAILSTACK_IMAP_PORT             base+143  IMAP, STARTTLS
#   MAILSTACK_IMAPS_PORT            base+993  IMAP, implicit TLS
#   MAILSTACK_POP3_PORT             base+110  POP3, STLS
#   MAILSTACK_POP3S_PORT            base+995  POP3, implicit TLS
#   MAILSTACK_OAUTH_PORT            base+443  the OAuth2 authorization server of tests/oauth2 (HTTPS,
#                                             127.0.0.1 only) that Dovecot asks to introspect tokens
#   MAILSTACK_IPV6                  auto (default) | 0 | 1: also listen on [::1]
#   MAILSTACK_PROCESS_LIMIT         Postfix's and Dovecot's default_process_limit (default: theirs,
#                                   100), for tests/bench's --accounts scale runs
#   MAILSTACK_KEY_TYPE              ec (default: ECDSA P-256) | rsa (RSA-2048, what Microsoft's
#                                   endpoints present): the CA's and the server's keys
#
# Addresses: every service listens on 127.0.0.1 and, if usable, 127.0.0.2 (MAILSTACK_HOST2) and
# [::1] (MAILSTACK_HOST6). Dovecot treats a connection whose client IP equals the server IP as
# secure (plaintext LOGIN allowed on 127.0.0.1 -> 127.0.0.1); connect from 127.0.0.1 to
# 127.0.0.2 to see it enforce TLS (LOGINDISABLED, -ERR ... Plaintext authentication disallowed).
# Postfix enforces TLS-before-AUTH on every address.
#
# Certificate: throwaway CA ($MAILSTACK_CA) and server certificate for CN=localhost, SANs
# DNS:localhost, DNS:mail.mailverify.test, DNS:autoconfig.mailverify.test,
# DNS:autodiscover.mailverify.test (for settings discovery), IP:127.0.0.1, IP:127.0.0.2,
# IP:::1, ECDSA P-256 (or RSA-2048, see
# MAILSTACK_KEY_TYPE), valid 30 days (regenerated when less than a day is left or the key type
# differs). Verify with the name "localhost" or the IP.
#
# Users (domain mailverify.test; logins need the full address, "alice" alone fails):
#   MAILSTACK_USER1/PASS1  alice@mailverify.test
#   MAILSTACK_USER2/PASS2  bob@mailverify.test
#   MAILSTACK_USER3/PASS3  carol@mailverify.test, password contains a space, '"' and '\'
#                          (exercises IMAP quoting / SASL encoding); the server files a copy of
#                          what carol submits in her Sent folder, as Gmail and Exchange do
# Random passwords are generated at first start and kept only in $MAILSTACK_DIR/env (mode 600).
# postmaster@mailverify.test is an alias of alice. Other recipients in the domain: 550 5.1.1.
# Mechanisms: PLAIN, LOGIN, CRAM-MD5 (Dovecot and Postfix via Dovecot SASL), and XOAUTH2 and
# OAUTHBEARER: Dovecot's oauth2 passdb checks each token at the local OAuth2 server's
# introspection endpoint (tests/oauth2/oauth_server.py, started and stopped with the stack; it
# issues tokens through the device and authorization-code flows, see its header).
#
# Delivery: Postfix -> LMTP (unix socket) -> Dovecot. Maildir of user local@domain:
#   $MAILSTACK_MAILDIR_ROOT/<domain>/<local>/{new,cur,tmp}, folders as Maildir++ (.Sent, ...).
# SPECIAL-USE folders Sent, Drafts, Trash, Junk exist (auto = subscribe).
# Nothing leaves the machine: RCPT to other domains is refused: "554 5.7.1 Relay access denied"
# without AUTH, "550 5.1.1 ... no outside delivery in the test stack" with AUTH
# (default_transport = error). Auth failures are answered at once (no delay, no penalty).
# message_size_limit = 64 MiB.
#
# Logs: $MAILSTACK_DIR/log/{postfix.log,dovecot.log,start.log}. Dovecot's timestamps have
# microseconds; Postfix's delays= have microseconds (its timestamps only seconds).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
D=${MAILSTACK_DIR:-$REPO_ROOT/.mailstack}
case $D in /*) ;; *) D=$PWD/$D ;; esac
D=${D%/}

DOMAIN=mailverify.test
PF_CONF=$D/etc/postfix
PF_QUEUE=$D/spool/postfix
DV_CONF=$D/etc/dovecot/dovecot.conf
DV_BASE=$D/run/dovecot
TLS=$D/tls
LOG=$D/log
ENV_FILE=$D/env
PORTS_FILE=$D/ports
MAILDIR_ROOT=$D/mail
MAIL_USER=mvmail

die() { echo "mailstack: $*" >&2; exit 1; }
info() { echo "mailstack: $*"; }
now_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }

# ---------------------------------------------------------------- ports and addresses

compute_ports() {
  local base=${MAILSTACK_PORT_BASE:-10000}
  [[ $base =~ ^[0-9]+$ ]] || die "MAILSTACK_PORT_BASE must be a number"
  SUB_PORT=${MAILSTACK_SMTP_SUBMISSION_PORT:-$((base + 587))}
  SMTPS_PORT=${MAILSTACK_SMTPS_PORT:-$((base + 465))}
  SMTP_PORT=${MAILSTACK_SMTP_PORT:-$((base + 25))}
  IMAP_PORT=${MAILSTACK_IMAP_PORT:-$((base + 143))}
  IMAPS_PORT=${MAILSTACK_IMAPS_PORT:-$((base + 993))}
  POP3_PORT=${MAILSTACK_POP3_PORT:-$((base + 110))}
  POP3S_PORT=${MAILSTACK_POP3S_PORT:-$((base + 995))}
  OAUTH_PORT=${MAILSTACK_OAUTH_PORT:-$((base + 443))}
  local p
  for p in $SUB_PORT $SMTPS_PORT $SMTP_PORT $IMAP_PORT $IMAPS_PORT $POP3_PORT $POP3S_PORT; do
    if ! [[ $p =~ ^[0-9]+$ ]] || ((p < 1 || p > 65535)); then die "invalid port: $p"; fi
  done
  HOST2=""
  if command -v ip >/dev/null 2>&1; then
    if ip -o route get 127.0.0.2 2>/dev/null | grep -q '^local '; then HOST2=127.0.0.2; fi
  elif [[ $(uname -s) == Linux ]]; then
    HOST2=127.0.0.2
  fi
  HOST6=""
  case ${MAILSTACK_IPV6:-auto} in
    1) HOST6=::1 ;;
    0) ;;
    *) if command -v ip >/dev/null 2>&1 && ip -o -6 addr show dev lo 2>/dev/null | grep -q ' ::1/128'; then
         HOST6=::1
       fi ;;
  esac
}

# The values start used, so status/env/stop agree with the running stack.
load_ports() {
  if [[ -f $PORTS_FILE ]]; then
    # shellcheck disable=SC1090
    source "$PORTS_FILE"
  else
    compute_ports
  fi
}

save_ports() {
  cat >"$PORTS_FILE" <<EOF
SUB_PORT=$SUB_PORT
SMTPS_PORT=$SMTPS_PORT
SMTP_PORT=$SMTP_PORT
IMAP_PORT=$IMAP_PORT
IMAPS_PORT=$IMAPS_PORT
POP3_PORT=$POP3_PORT
POP3S_PORT=$POP3S_PORT
OAUTH_PORT=$OAUTH_PORT
HOST2=$HOST2
HOST6=$HOST6
EOF
}

# name port pairs, in status order
services() {
  echo "smtp-submission $SUB_PORT"
  echo "smtps $SMTPS_PORT"
  echo "smtp $SMTP_PORT"
  echo "imap $IMAP_PORT"
  echo "imaps $IMAPS_PORT"
  echo "pop3 $POP3_PORT"
  echo "pop3s $POP3S_PORT"
}

hosts() {
  echo 127.0.0.1
  [[ -n $HOST2 ]] && echo "$HOST2"
  [[ -n $HOST6 ]] && echo "$HOST6"
  return 0
}

# Fast loopback connect probe (refused connections fail at once).
probe() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
probe_t() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# ---------------------------------------------------------------- processes

# pid_alive PID COMM: running (not a zombie) and really that program (not a reused pid).
pid_alive() {
  local pid=$1 exe=$2 state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ $state != Z && $state != X ]] || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$exe" ]]
}

postfix_pid() { tr -d ' \n' 2>/dev/null <"$PF_QUEUE/pid/master.pid" || true; }
dovecot_pid() { tr -d ' \n' 2>/dev/null <"$DV_BASE/master.pid" || true; }
postfix_running() { pid_alive "$(postfix_pid)" master; }
dovecot_running() { pid_alive "$(dovecot_pid)" dovecot; }

# Waits at most timeout_s for a daemon (not this shell's child) to end: woken by the kernel through
# a pidfd the moment it exits, not by polling on a timer.
wait_gone() { # pid exe timeout_s
  pid_alive "$1" "$2" || return 0
  python3 -c '
import os, select, sys
try:
    fd = os.pidfd_open(int(sys.argv[1]))
except ProcessLookupError:
    sys.exit(0)
sys.exit(0 if select.select([fd], [], [], float(sys.argv[2]))[0] else 1)' "$1" "$3"
}

# ---------------------------------------------------------------- generated files

ensure_mail_user() {
  if ! getent passwd "$MAIL_USER" >/dev/null; then
    useradd --system --user-group --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin "$MAIL_USER"
  fi
  MAIL_UID=$(id -u "$MAIL_USER")
  MAIL_GID=$(id -g "$MAIL_USER")
}

make_dirs() {
  mkdir -p "$D" "$PF_CONF" "$D/etc/dovecot" "$D/spool" "$D/lib/postfix" "$D/lib/dovecot" \
    "$DV_BASE" "$TLS" "$LOG" "$MAILDIR_ROOT" "$D/home"
  chmod 755 "$D" "$D/etc" "$PF_CONF" "$D/etc/dovecot" "$D/spool" "$D/run" "$DV_BASE" "$LOG" "$D/lib"
  chmod 700 "$TLS"
  chown postfix:postfix "$D/lib/postfix"
  chown "$MAIL_USER:$MAIL_USER" "$MAILDIR_ROOT" "$D/home"
  chmod 750 "$MAILDIR_ROOT" "$D/home"
  # Postfix queue dir: root-owned top, subdirectories created by post-install create-missing.
  mkdir -p "$PF_QUEUE"
  chown root:root "$PF_QUEUE"
  chmod 755 "$PF_QUEUE"
}

gen_certs() {
  local newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) algorithm=id-ecPublicKey
  case "${MAILSTACK_KEY_TYPE:-ec}" in
    ec) ;;
    rsa) newkey=(-newkey rsa:2048) algorithm=rsaEncryption ;;
    *) die "MAILSTACK_KEY_TYPE must be ec or rsa" ;;
  esac
  if [[ -s $TLS/ca.crt && -s $TLS/ca.key && -s $TLS/server.crt && -s $TLS/server.key ]] &&
    openssl x509 -in "$TLS/server.crt" -noout -text 2>/dev/null |
    grep -q "Public Key Algorithm: $algorithm" &&
    openssl x509 -in "$TLS/server.crt" -noout -ext subjectAltName 2>/dev/null |
    grep -q "DNS:autodiscover.$DOMAIN" &&
    openssl x509 -in "$TLS/server.crt" -noout -checkend 86400 >/dev/null 2>&1 &&
    openssl x509 -in "$TLS/ca.crt" -noout -checkend 86400 >/dev/null 2>&1 &&
    openssl verify -CAfile "$TLS/ca.crt" "$TLS/server.crt" >/dev/null 2>&1; then
    return 0
  fi
  info "generating throwaway CA and server certificate (30 days)"
  local tmp
  tmp=$(mktemp -d "$TLS/gen.XXXXXX")
  # mail.$DOMAIN too: the name settings discovery (SRV, MX) finds for the stack's domain;
  # autoconfig.$DOMAIN and autodiscover.$DOMAIN: the HTTPS hosts discovery asks (the tests serve
  # them with this certificate).
  cat >"$tmp/openssl.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_srv]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, DNS:mail.$DOMAIN, DNS:autoconfig.$DOMAIN, DNS:autodiscover.$DOMAIN, IP:127.0.0.1, IP:127.0.0.2, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  (
    umask 077
    openssl req -config "$tmp/openssl.cnf" -x509 -new "${newkey[@]}" \
      -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.crt" -days 30 -sha256 \
      -subj "/O=mailverify test stack/CN=mailstack throwaway CA" -extensions v3_ca
    openssl req -config "$tmp/openssl.cnf" -new "${newkey[@]}" \
      -nodes -keyout "$tmp/server.key" -out "$tmp/server.csr" -subj "/CN=localhost"
    openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" \
      -set_serial "0x$(openssl rand -hex 8)" -days 30 -sha256 \
      -extfile "$tmp/openssl.cnf" -extensions v3_srv -out "$tmp/server.crt"
  ) >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; rm -rf "$tmp"; die "certificate generation failed"; }
  chmod 600 "$tmp/ca.key" "$tmp/server.key"
  chmod 644 "$tmp/ca.crt" "$tmp/server.crt"
  chown root:root "$tmp/ca.key" "$tmp/server.key"
  mv -f "$tmp/ca.key" "$tmp/ca.crt" "$tmp/server.key" "$tmp/server.crt" "$TLS/"
  rm -rf "$tmp"
}

# Value of NAME in the existing env file (values are single-quoted, never contain quotes).
env_value() {
  [[ -f $ENV_FILE ]] || return 0
  sed -n "s/^export $1='\(.*\)'\$/\1/p" "$ENV_FILE" | head -n1
}

random_pw() { openssl rand -base64 24 | tr -d '/+=\n' | cut -c1-20; }

gen_users() {
  PASS1=$(env_value MAILSTACK_PASS1)
  PASS2=$(env_value MAILSTACK_PASS2)
  PASS3=$(env_value MAILSTACK_PASS3)
  [[ -n $PASS1 ]] || PASS1=$(random_pw)
  [[ -n $PASS2 ]] || PASS2=$(random_pw)
  [[ -n $PASS3 ]] || PASS3="$(random_pw | cut -c1-12) q\"b\\s"
  USER1=alice@$DOMAIN
  USER2=bob@$DOMAIN
  USER3=carol@$DOMAIN
  local users=$D/etc/dovecot/users i
  local -a us=("$USER1" "$USER2" "$USER3") ps=("$PASS1" "$PASS2" "$PASS3")
  (
    umask 077
    for i in 0 1 2; do
      printf '%s:%s::::::\n' "${us[i]}" "$(doveadm -O pw -s CRAM-MD5 -p "${ps[i]}")"
    done >"$users.tmp"
  )
  chown root:dovecot "$users.tmp"
  chmod 640 "$users.tmp"
  mv -f "$users.tmp" "$users"
  printf '%s OK\n' "$USER1" "$USER2" "$USER3" >"$PF_CONF/vmailbox"
  printf 'postmaster@%s %s\n' "$DOMAIN" "$USER1" >"$PF_CONF/valias"
  # carol's server files a copy of what she submits in her Sent folder, as Gmail and Exchange do
  # (a BCC to carol+Sent, which Dovecot's LMTP saves to the mailbox named by the detail).
  printf '%s %s\n' "$USER3" "${USER3/@/+Sent@}" >"$PF_CONF/sender_bcc"
}

write_env() {
  local tmp=$ENV_FILE.tmp
  (
    umask 077
    {
      echo "# mailverify test mail stack (tests/mailstack/mailstack.sh); contains passwords"
      echo "export MAILSTACK_DIR='$D'"
      echo "export MAILSTACK_CA='$TLS/ca.crt'"
      echo "export MAILSTACK_HOST='127.0.0.1'"
      echo "export MAILSTACK_HOST2='$HOST2'"
      echo "export MAILSTACK_HOST6='$HOST6'"
      echo "export MAILSTACK_TLS_NAME='localhost'"
      echo "export MAILSTACK_DOMAIN='$DOMAIN'"
      echo "export MAILSTACK_SMTP_SUBMISSION_PORT='$SUB_PORT'"
      echo "export MAILSTACK_SMTPS_PORT='$SMTPS_PORT'"
      echo "export MAILSTACK_SMTP_PORT='$SMTP_PORT'"
      echo "export MAILSTACK_IMAP_PORT='$IMAP_PORT'"
      echo "export MAILSTACK_IMAPS_PORT='$IMAPS_PORT'"
      echo "export MAILSTACK_POP3_PORT='$POP3_PORT'"
      echo "export MAILSTACK_POP3S_PORT='$POP3S_PORT'"
      echo "export MAILSTACK_USER1='$USER1'"
      echo "export MAILSTACK_PASS1='$PASS1'"
      echo "export MAILSTACK_USER2='$USER2'"
      echo "export MAILSTACK_PASS2='$PASS2'"
      echo "export MAILSTACK_USER3='$USER3'"
      echo "export MAILSTACK_PASS3='$PASS3'"
      echo "export MAILSTACK_MAILDIR_ROOT='$MAILDIR_ROOT'"
      echo "export MAILSTACK_OAUTH_PORT='$OAUTH_PORT'"
      echo "export MAILSTACK_OAUTH_URL='https://localhost:$OAUTH_PORT'"
    } >"$tmp"
  )
  mv -f "$tmp" "$ENV_FILE"
}

gen_postfix() {
  local protocols=ipv4
  [[ -n $HOST6 ]] && protocols=all
  cat >"$PF_CONF/main.cf" <<EOF
# Generated by tests/mailstack/mailstack.sh - do not edit (rewritten at every start).
compatibility_level = 3.6
queue_directory = $PF_QUEUE
data_directory = $D/lib/postfix
mail_owner = postfix
setgid_group = postdrop
syslog_name = mailstack-postfix
maillog_file = $LOG/postfix.log
maillog_file_prefixes = $LOG
# delay= and delays=a/b/c/d with microseconds (read by tests/bench/overhead.py).
delay_logging_resolution_limit = 6

myhostname = mail.$DOMAIN
mydomain = $DOMAIN
myorigin = \$mydomain
mydestination =
inet_interfaces = loopback-only
inet_protocols = $protocols
mynetworks = 127.0.0.0/8
relayhost =
biff = no
append_dot_mydomain = no

# No DNS, nothing leaves the machine.
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
default_transport = error:no outside delivery in the test stack
relay_transport = error:no outside delivery in the test stack
local_transport = error:no local delivery in the test stack
local_recipient_maps =
alias_maps =
alias_database =

# The test domain: virtual mailboxes delivered to Dovecot over LMTP.
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps = texthash:$PF_CONF/vmailbox
virtual_alias_maps = texthash:$PF_CONF/valias
recipient_delimiter = +
sender_bcc_maps = texthash:$PF_CONF/sender_bcc
virtual_transport = lmtp:unix:$DV_BASE/lmtp

message_size_limit = 67108864
mailbox_size_limit = 0
virtual_mailbox_limit = 0
delay_warning_time = 0
in_flow_delay = 0
queue_run_delay = 10s
minimal_backoff_time = 10s
maximal_backoff_time = 60s
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h

smtpd_banner = \$myhostname ESMTP mailstack
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 200
smtpd_client_event_limit_exceptions = \$mynetworks

smtpd_tls_chain_files = $TLS/server.key, $TLS/server.crt
smtpd_tls_security_level = may
smtpd_tls_loglevel = 0
smtpd_tls_received_header = yes
tls_random_source = dev:/dev/urandom

smtpd_sasl_auth_enable = no
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DV_BASE/auth-postfix
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
smtpd_tls_auth_only = yes
EOF
  # tests/bench's --accounts scale runs (MAILSTACK_PROCESS_LIMIT): more smtpd, cleanup and lmtp
  # processes than Postfix's default 100.
  if [[ -n ${MAILSTACK_PROCESS_LIMIT:-} ]]; then
    echo "default_process_limit = $MAILSTACK_PROCESS_LIMIT" >>"$PF_CONF/main.cf"
  fi

  {
    cat <<'EOF'
# Generated by tests/mailstack/mailstack.sh - do not edit (rewritten at every start).
# service type  private unpriv  chroot  wakeup  maxproc command + args
EOF
    local h hp
    while read -r h; do
      hp=$h
      [[ $h == *:* ]] && hp="[$h]"
      cat <<EOF
$hp:$SMTP_PORT inet n - n - - smtpd
  -o syslog_name=mailstack-postfix/smtp
$hp:$SUB_PORT inet n - n - - smtpd
  -o syslog_name=mailstack-postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
$hp:$SMTPS_PORT inet n - n - - smtpd
  -o syslog_name=mailstack-postfix/smtps
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
EOF
    done < <(hosts)
    cat <<'EOF'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  } >"$PF_CONF/master.cf"
}

gen_dovecot_oauth2() {
  # Dovecot's auth process runs unprivileged: it reads the CA from a copy it may open.
  install -m 644 "$TLS/ca.crt" "$D/etc/dovecot/oauth2-ca.crt"
  cat >"$D/etc/dovecot/dovecot-oauth2.conf.ext" <<EOF
# Generated by tests/mailstack/mailstack.sh - do not edit (rewritten at every start).
introspection_mode = post
introspection_url = https://localhost:$OAUTH_PORT/introspect
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
scope = https://outlook.office.com/IMAP.AccessAsUser.All
tls_ca_cert_file = $D/etc/dovecot/oauth2-ca.crt
timeout_msecs = 5000
EOF
}

oauth_pid() { tr -d ' \n' 2>/dev/null <"$D/run/oauth_server.pid" || true; }
oauth_running() { pid_alive "$(oauth_pid)" python3; }

start_oauth_server() {
  rm -f "$D/run/oauth_server.pid"
  # Returns once the server listens (it goes on in the background), or fails.
  python3 "$SCRIPT_DIR/../oauth2/oauth_server.py" "$OAUTH_PORT" "$TLS/server.crt" "$TLS/server.key" \
    "$D/run/oauth_server.pid" </dev/null >>"$LOG/oauth_server.log" 2>&1
}

gen_dovecot() {
  gen_dovecot_oauth2
  local listen="127.0.0.1" dh=""
  [[ -n $HOST2 ]] && listen+=", $HOST2"
  [[ -n $HOST6 ]] && listen+=", $HOST6"
  [[ -r /usr/share/dovecot/dh.pem ]] && dh="ssl_dh = </usr/share/dovecot/dh.pem"
  local inst
  inst=mailstack-$(printf '%s' "$D" | cksum | cut -d' ' -f1)
  cat >"$DV_CONF" <<EOF
# Generated by tests/mailstack/mailstack.sh - do not edit (rewritten at every start).
instance_name = $inst
base_dir = $DV_BASE
state_dir = $D/lib/dovecot
protocols = imap pop3 lmtp
listen = $listen
shutdown_clients = yes
verbose_proctitle = yes
log_path = $LOG/dovecot.log
# Microseconds, so tests/bench can time delivery ("saved mail to INBOX") against a client trace.
log_timestamp = "%b %d %H:%M:%S.%{usecs} "
auth_verbose = yes

ssl = required
ssl_cert = <$TLS/server.crt
ssl_key = <$TLS/server.key
$dh
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes

auth_mechanisms = plain login cram-md5 xoauth2 oauthbearer
auth_failure_delay = 0
auth_cache_size = 0
# auth_failure_delay = 0 alone still answers failures on a 500 ms timer: this first passdb
# only adds "nodelay" (kept because it does not fail), so failures are answered at once.
passdb {
  driver = static
  args = noauthenticate nodelay=yes
}
# Full address required: passwd-file keys include the domain; no default realm.
passdb {
  driver = passwd-file
  args = scheme=CRAM-MD5 username_format=%Lu $D/etc/dovecot/users
}
# OAuth2 tokens: introspected at the local OAuth2 server; the token's user must be the login's.
# (A token fails the passwd-file passdb above, and the chain goes on to this one; the passwd-file
# passdb is not limited to password mechanisms, since LMTP's userdb lookups use no mechanism.)
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $D/etc/dovecot/dovecot-oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=$MAIL_USER gid=$MAIL_USER home=$D/home/%Ld/%Ln
}
first_valid_uid = $MAIL_UID
first_valid_gid = $MAIL_GID
mail_location = maildir:$MAILDIR_ROOT/%Ld/%Ln

namespace inbox {
  inbox = yes
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}

protocol imap {
  mail_max_userip_connections = 200
}
protocol pop3 {
  mail_max_userip_connections = 200
}
protocol lmtp {
  postmaster_address = postmaster@$DOMAIN
  lmtp_save_to_detail_mailbox = yes
}
recipient_delimiter = +

service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
  service_count = 0
  process_min_avail = 1
}
service pop3-login {
  inet_listener pop3 {
    port = $POP3_PORT
  }
  inet_listener pop3s {
    port = $POP3S_PORT
    ssl = yes
  }
  service_count = 0
  process_min_avail = 1
}
service lmtp {
  unix_listener lmtp {
    mode = 0600
    user = postfix
    group = postfix
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
# No auth penalty (2-4 s delay after a failed login from the same IP).
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF
  # More imap/pop3 processes (one per logged-in connection) than Dovecot's default 100, and
  # more clients per login process, for tests/bench's --accounts scale runs.
  if [[ -n ${MAILSTACK_PROCESS_LIMIT:-} ]]; then
    printf 'default_process_limit = %s\ndefault_client_limit = %s\n' \
      "$MAILSTACK_PROCESS_LIMIT" "$((MAILSTACK_PROCESS_LIMIT * 4))" >>"$DV_CONF"
  fi
}

# ---------------------------------------------------------------- commands

log_tails() {
  local f
  for f in "$LOG/dovecot.log" "$LOG/postfix.log" "$LOG/start.log"; do
    [[ -s $f ]] || continue
    echo "----- tail $f" >&2
    tail -n 25 "$f" >&2
  done
}

stop_daemons() {
  local pid stopped=0
  pid=$(postfix_pid)
  if pid_alive "$pid" master; then
    postfix -c "$PF_CONF" stop >>"$LOG/start.log" 2>&1 </dev/null || kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" master 10; then
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" master 2 || true
    fi
    info "postfix stopped (pid $pid)"
    stopped=1
  fi
  pid=$(dovecot_pid)
  if pid_alive "$pid" dovecot; then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" dovecot 10; then
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" dovecot 2 || true
    fi
    info "dovecot stopped (pid $pid)"
    stopped=1
  fi
  pid=$(oauth_pid)
  if pid_alive "$pid" python3; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" python3 5 || { kill -KILL "$pid" 2>/dev/null || true; }
    info "oauth server stopped (pid $pid)"
    stopped=1
  fi
  rm -f "$DV_BASE/master.pid" "$PF_QUEUE/pid/master.pid" "$D/run/oauth_server.pid" 2>/dev/null || true
  return $((1 - stopped))
}

cmd_stop() {
  [[ -d $D ]] || { info "not running (no $D)"; return 0; }
  [[ $(id -u) -eq 0 ]] || die "stop needs root"
  stop_daemons || info "not running"
  return 0
}

cmd_start() {
  [[ $(id -u) -eq 0 ]] || die "start needs root (Postfix and Dovecot masters run as root)"
  local prog
  for prog in postfix dovecot doveadm openssl; do
    command -v "$prog" >/dev/null || die "$prog is required (run scripts/setup.sh)"
  done
  if [[ -d $D ]] && postfix_running && dovecot_running && oauth_running; then
    load_ports
    info "already running (postfix pid $(postfix_pid), dovecot pid $(dovecot_pid)) in $D"
    return 0
  fi
  local t0
  t0=$(now_ms)
  mkdir -p "$D/log"
  # Half-running: start from a clean slate.
  stop_daemons >/dev/null 2>&1 || true

  compute_ports
  ((${#D} <= 70)) || die "MAILSTACK_DIR path too long for unix sockets (${#D} > 70 chars): $D"
  local name port h
  while read -r name port; do
    while read -r h; do
      if probe "$h" "$port"; then die "port $h:$port ($name) is already in use"; fi
    done < <(hosts)
  done < <(services)

  ensure_mail_user
  make_dirs
  gen_certs
  gen_users
  save_ports
  write_env
  gen_postfix
  gen_dovecot
  # Postfix waits ~2.4 s if main.cf or a map is younger than a second: backdate.
  touch -d '-5 seconds' "$PF_CONF"/main.cf "$PF_CONF"/master.cf "$PF_CONF"/vmailbox "$PF_CONF"/valias \
    "$PF_CONF"/sender_bcc \
    "$DV_CONF" "$D/etc/dovecot/users"
  # Stale sockets from an unclean stop.
  rm -f "$DV_BASE"/anvil "$DV_BASE"/anvil-auth-penalty 2>/dev/null || true

  : >>"$LOG/start.log"
  echo "=== start $(date -Is)" >>"$LOG/start.log"
  if ! start_oauth_server; then
    log_tails
    die "the OAuth2 server failed to start"
  fi
  # Dovecot keeps the caller's stdio open: redirect it.
  if ! dovecot -c "$DV_CONF" </dev/null >>"$LOG/start.log" 2>&1; then
    log_tails
    die "dovecot failed to start"
  fi
  if ! postfix -c "$PF_CONF" start </dev/null >>"$LOG/start.log" 2>&1; then
    log_tails
    # Postfix's early fatal errors go only to syslog (none here) or to a terminal: replay under one.
    if command -v script >/dev/null 2>&1; then
      script -qec "postfix -c '$PF_CONF' check" /dev/null </dev/null >&2 || true
    fi
    stop_daemons >/dev/null 2>&1 || true
    die "postfix failed to start"
  fi

  # Each start above returns once its daemon listens (postfix start waits for the master's
  # initialisation, dovecot binds before it detaches, the OAuth2 server forks once bound): one look
  # finds everything, or names what is missing. No polling.
  local missing="" name port h
  while read -r name port; do
    while read -r h; do
      probe "$h" "$port" || missing+=" $name($h:$port)"
    done < <(hosts)
  done < <(services)
  [[ -S $DV_BASE/lmtp ]] || missing+=" dovecot-lmtp-socket"
  [[ -S $DV_BASE/auth-postfix ]] || missing+=" dovecot-auth-socket"
  probe 127.0.0.1 "$OAUTH_PORT" || missing+=" oauth-server(127.0.0.1:$OAUTH_PORT)"
  if [[ -n $missing ]]; then
    log_tails
    stop_daemons >/dev/null 2>&1 || true
    die "not listening after start:$missing"
  fi
  info "started in $(($(now_ms) - t0)) ms (postfix pid $(postfix_pid), dovecot pid $(dovecot_pid)); env: $ENV_FILE"
}

cmd_status() {
  load_ports
  local ok=0 name port h pid
  if [[ $(id -u) -ne 0 ]]; then
    echo "(not root: pid files unreadable, only probing ports)"
  else
    pid=$(postfix_pid)
    if postfix_running; then echo "postfix   master pid $pid running"; else echo "postfix   not running"; ok=1; fi
    pid=$(dovecot_pid)
    if dovecot_running; then echo "dovecot   master pid $pid running"; else echo "dovecot   not running"; ok=1; fi
  fi
  while read -r name port; do
    while read -r h; do
      if probe_t "$h" "$port"; then
        printf '%-16s %-22s up\n' "$name" "$h:$port"
      else
        printf '%-16s %-22s DOWN\n' "$name" "$h:$port"
        ok=1
      fi
    done < <(hosts)
  done < <(services)
  return $ok
}

cmd_env() {
  [[ -f $ENV_FILE ]] || die "no $ENV_FILE: run '$0 start' first"
  cat "$ENV_FILE"
  if ! { postfix_running && dovecot_running; } 2>/dev/null; then
    echo "mailstack: warning: the stack is not running" >&2
  fi
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) echo "usage: $0 start|stop|status|env|restart" >&2; exit 2 ;;
esac
