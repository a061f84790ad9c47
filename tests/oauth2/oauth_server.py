#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A local OAuth2 authorization server for mailverify's tests (HTTPS on loopback).

Why Python: no Debian package ships a small OAuth2 server with device flow, PKCE and token
introspection that runs without a database and an admin UI; Python 3's standard library
(http.server + ssl) is already installed by scripts/setup.sh for the tests, and this file is the
whole server. It is a test peer, not a product: state lives in memory.

Endpoints (RFC 6749, 7636, 7662, 8628):
  POST /devicecode   device authorization (client_id, scope)
  GET  /device       the "verification page": ?user_code=X[&user=U] approves that code for U
  GET  /authorize    authorization endpoint: checks client, loopback redirect_uri, S256 PKCE;
                     answers 302 to the redirect with code+state (or error+state)
  POST /token        grant types device_code, authorization_code (PKCE checked), refresh_token
                     (rotating: a used refresh token is dead afterwards)
  POST /introspect   RFC 7662 for Dovecot's oauth2 passdb: active, username, scope, exp
  POST /control      tests only: JSON that sets how the next requests are answered (below)
  POST /revoke       tests only: {"user": U} revokes every grant of U
  GET  /state        tests only: counters (refreshes, rotations, token requests)

Clients: "mv-test" (public, every flow), "mv-confidential" (needs client_secret "s3cret"),
"mv-noflows" (public client flows not enabled: Microsoft's AADSTS7000218), anything else is
unknown (AADSTS700016). Errors copy Microsoft's shape: error, error_description with the AADSTS
number, error_codes.

Control keys (POST /control, JSON object; each stays until changed, "reset": true restores):
  reset          back to these defaults, and forget every code, token and counter
  user           who signs in (default alice@mailverify.test)
  scope          scope granted (default: the requested one)
  pending        authorization_pending answers before a device code is approved (default 0
                 when /device approved it; else it waits for /device)
  auto_approve   approve device codes without /device, after `pending` polls (default false)
  slow_down      slow_down answers before anything else (default 0)
  device_outcome approve | deny | expire (default approve)
  interval       device polling interval in seconds (default 1)
  device_expires device code lifetime in seconds (default 300)
  authorize_error  e.g. "access_denied" or "consent_required": /authorize redirects with it
  access_ttl     access token lifetime in seconds (default 3600)
  jwt            issue JWT-shaped access tokens (aud, scp, exp, upn) instead of opaque ones
  aud            the JWT audience (default https://outlook.office.com)
  refresh_error  answer refresh requests with this AADSTS case: "revoked" | "expired" | "mfa" |
                 "conditional_access" | "consent" | "wrong_tenant"
  refresh_delay_ms  hold each refresh this long before answering (concurrency tests)
  token_redirect answer /token with a 302 to this URL (a client must not follow it with secrets)
"""
import base64
import hashlib
import hmac
import json
import os
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
DEFAULTS = {
    "user": "alice@mailverify.test", "scope": None, "pending": 0, "auto_approve": False,
    "slow_down": 0, "device_outcome": "approve", "interval": 1, "device_expires": 300,
    "authorize_error": None, "access_ttl": 3600, "jwt": False, "aud": "https://outlook.office.com",
    "refresh_error": None, "refresh_delay_ms": 0, "token_redirect": None,
}
CONTROL = dict(DEFAULTS)
DEVICE = {}     # device_code -> {user_code, client, scope, expires, approved_for, polls, slowed}
CODES = {}      # auth code -> {client, redirect_uri, challenge, scope, user, expires}
ACCESS = {}     # access token -> {user, scope, exp, revoked}
REFRESH = {}    # refresh token -> {user, scope, client, alive}
COUNTS = {"refresh": 0, "refresh_ok": 0, "refresh_reused": 0, "token": 0}
POLLS = []      # times (s) of device-code token requests, for the polling interval checks
JWT_KEY = secrets.token_bytes(32)
CLIENTS = {"mv-test": None, "mv-confidential": "s3cret", "mv-noflows": None}

AADSTS = {
    "unknown_client": ("unauthorized_client", 700016,
                       "Application with identifier '{client}' was not found in the directory "
                       "'Microsoft Accounts'."),
    "no_public_flows": ("invalid_client", 7000218,
                        "The request body must contain the following parameter: "
                        "'client_assertion' or 'client_secret'."),
    "revoked": ("invalid_grant", 50173,
                "The provided grant has expired due to it being revoked, a fresh auth token is "
                "needed."),
    "expired": ("invalid_grant", 700082,
                "The refresh token has expired due to inactivity."),
    "mfa": ("invalid_grant", 50076,
            "Due to a configuration change made by your administrator, or because you moved to a "
            "new location, you must use multi-factor authentication to access '00000002-0000-"
            "0ff1-ce00-000000000000'."),
    "conditional_access": ("invalid_grant", 53003,
                           "Access has been blocked by Conditional Access policies."),
    "consent": ("invalid_grant", 65001,
                "The user or administrator has not consented to use the application with ID "
                "'{client}'."),
    "wrong_tenant": ("invalid_request", 9002331,
                     "Application '{client}' is configured for use by Microsoft Account users "
                     "only. Please use the /consumers endpoint to serve this request."),
}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_access(user, scope):
    ttl = CONTROL["access_ttl"]
    exp = int(time.time()) + ttl
    if CONTROL["jwt"]:
        head = b64url(json.dumps({"typ": "JWT", "alg": "HS256"}).encode())
        body = b64url(json.dumps({"aud": CONTROL["aud"], "scp": scope, "exp": exp,
                                  "upn": user}).encode())
        sig = b64url(hmac.new(JWT_KEY, (head + "." + body).encode(), hashlib.sha256).digest())
        token = head + "." + body + "." + sig
    else:
        token = "mvat_" + secrets.token_urlsafe(24)
    ACCESS[token] = {"user": user, "scope": scope, "exp": exp, "revoked": False}
    return token, ttl


def issue(user, scope, client):
    access, ttl = make_access(user, scope)
    refresh = "mvrt_" + secrets.token_urlsafe(24)
    REFRESH[refresh] = {"user": user, "scope": scope, "client": client, "alive": True}
    return {"token_type": "Bearer", "access_token": access, "refresh_token": refresh,
            "expires_in": ttl, "scope": scope}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("oauth_server: " + (fmt % args) + "\n")

    def send_json(self, status, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def oauth_error(self, code, description="", status=400, aadsts=None):
        obj = {"error": code, "error_description": description}
        if aadsts:
            obj["error_description"] = "AADSTS%d: %s" % (aadsts, description)
            obj["error_codes"] = [aadsts]
        self.send_json(status, obj)

    def aad_error(self, case, client="", status=400):
        code, number, text = AADSTS[case]
        self.oauth_error(code, text.format(client=client), status, number)

    def form(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode() if n else ""
        if self.headers.get("Content-Type", "").startswith("application/json"):
            return json.loads(raw or "{}")
        return {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}

    def check_client(self, f, flow):
        client = f.get("client_id", "")
        if client not in CLIENTS:
            self.aad_error("unknown_client", client)
            return None
        if client == "mv-noflows" and flow in ("device",):
            self.aad_error("no_public_flows", client, 401)
            return None
        secret = CLIENTS[client]
        if secret is not None and f.get("client_secret") != secret:
            self.oauth_error("invalid_client", "client authentication failed", 401)
            return None
        return client

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        with LOCK:
            if url.path == "/device":
                return self.device_page(q)
            if url.path == "/authorize":
                return self.authorize(q)
            if url.path == "/state":
                gaps = [round(b - a, 2) for a, b in zip(POLLS, POLLS[1:])]
                return self.send_json(200, {"counts": COUNTS, "poll_gaps": gaps,
                                            "live_refresh": sum(1 for r in REFRESH.values()
                                                                if r["alive"])})
        self.send_json(404, {"error": "not_found"})

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        f = self.form()
        if path == "/token" and f.get("grant_type") == "refresh_token":
            delay = CONTROL["refresh_delay_ms"]
            if delay:
                # Deliberately slow (the "slow" mode the test asks for), not a synchronisation:
                # widens the window two concurrent refreshes share.
                time.sleep(delay / 1000.0)
        with LOCK:
            handler = {"/devicecode": self.devicecode, "/token": self.token,
                       "/introspect": self.introspect, "/control": self.control,
                       "/revoke": self.revoke}.get(path)
            if handler is None:
                return self.send_json(404, {"error": "not_found"})
            return handler(f)

    def control(self, f):
        if f.get("reset"):  # a clean server: default answers, no grants, counters at zero
            CONTROL.clear()
            CONTROL.update(DEFAULTS)
            for table in (DEVICE, CODES, ACCESS, REFRESH):
                table.clear()
            for k in COUNTS:
                COUNTS[k] = 0
            POLLS.clear()
        for k, v in f.items():
            if k in DEFAULTS:
                CONTROL[k] = v
        self.send_json(200, CONTROL)

    def revoke(self, f):
        for r in REFRESH.values():
            if r["user"] == f.get("user"):
                r["alive"] = False
        for a in ACCESS.values():
            if a["user"] == f.get("user"):
                a["revoked"] = True
        self.send_json(200, {"revoked": f.get("user")})

    def devicecode(self, f):
        client = self.check_client(f, "device")
        if client is None:
            return
        device_code = secrets.token_urlsafe(24)
        user_code = "%04d-%04d" % (secrets.randbelow(10000), secrets.randbelow(10000))
        host = self.headers.get("Host", "127.0.0.1")
        DEVICE[device_code] = {"user_code": user_code, "client": client,
                               "scope": f.get("scope", ""),
                               "expires": time.time() + CONTROL["device_expires"],
                               "approved_for": None, "polls": 0, "slowed": 0}
        self.send_json(200, {
            "device_code": device_code, "user_code": user_code,
            "verification_uri": "https://%s/device" % host,
            "verification_uri_complete": "https://%s/device?user_code=%s" % (host, user_code),
            "expires_in": CONTROL["device_expires"], "interval": CONTROL["interval"]})

    def device_page(self, q):
        for d in DEVICE.values():
            if d["user_code"] == q.get("user_code"):
                d["approved_for"] = q.get("user", CONTROL["user"])
                body = b"Signed in. You may close this window.\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        self.send_json(404, {"error": "unknown user_code"})

    def authorize(self, q):
        redirect = q.get("redirect_uri", "")
        client = q.get("client_id", "")
        target = urllib.parse.urlsplit(redirect)
        if client not in CLIENTS:
            code, number, text = AADSTS["unknown_client"]
            return self.send_json(400, {"error": code,
                                        "error_description": "AADSTS%d: %s" % (
                                            number, text.format(client=client))})
        if target.scheme != "http" or target.hostname not in ("127.0.0.1", "localhost"):
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "redirect_uri must be loopback"})
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "PKCE S256 required"})
        params = {"state": q.get("state", "")}
        if CONTROL["authorize_error"]:
            params["error"] = CONTROL["authorize_error"]
            params["error_description"] = "the user did not allow it"
        else:
            code = secrets.token_urlsafe(24)
            CODES[code] = {"client": client, "redirect_uri": redirect,
                           "challenge": q["code_challenge"], "scope": q.get("scope", ""),
                           "user": CONTROL["user"], "expires": time.time() + 300}
            params["code"] = code
        location = redirect + ("&" if "?" in redirect else "?") + urllib.parse.urlencode(params)
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def granted_scope(self, requested):
        return CONTROL["scope"] if CONTROL["scope"] is not None else requested

    def token(self, f):
        COUNTS["token"] += 1
        if CONTROL["token_redirect"]:
            self.send_response(302)
            self.send_header("Location", CONTROL["token_redirect"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        grant = f.get("grant_type")
        client = self.check_client(f, "device" if grant and "device_code" in grant else grant)
        if client is None:
            return
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            POLLS.append(time.monotonic())
            d = DEVICE.get(f.get("device_code", ""))
            if d is None or d["client"] != client:
                return self.oauth_error("invalid_grant", "unknown device_code")
            if d["slowed"] < CONTROL["slow_down"]:
                d["slowed"] += 1
                return self.oauth_error("slow_down", "polling too fast")
            if time.time() > d["expires"] or CONTROL["device_outcome"] == "expire":
                return self.oauth_error("expired_token", "the device code expired", 400, 70020)
            if CONTROL["device_outcome"] == "deny":
                return self.oauth_error("access_denied", "the user declined", 400, 70019)
            d["polls"] += 1
            if CONTROL["auto_approve"] and d["polls"] > CONTROL["pending"]:
                d["approved_for"] = d["approved_for"] or CONTROL["user"]
            if not d["approved_for"]:
                return self.oauth_error("authorization_pending", "waiting for the user", 400,
                                        70016)
            del DEVICE[f["device_code"]]
            return self.send_json(200, issue(d["approved_for"], self.granted_scope(d["scope"]),
                                             client))
        if grant == "authorization_code":
            c = CODES.pop(f.get("code", ""), None)
            if c is None or c["client"] != client or time.time() > c["expires"]:
                return self.oauth_error("invalid_grant", "the code is unknown or used", 400,
                                        70008)
            if c["redirect_uri"] != f.get("redirect_uri"):
                return self.oauth_error("invalid_grant", "redirect_uri differs", 400, 50148)
            verifier = f.get("code_verifier", "")
            if b64url(hashlib.sha256(verifier.encode()).digest()) != c["challenge"]:
                return self.oauth_error("invalid_grant", "PKCE verification failed", 400, 501481)
            return self.send_json(200, issue(c["user"], self.granted_scope(c["scope"]), client))
        if grant == "refresh_token":
            COUNTS["refresh"] += 1
            if CONTROL["refresh_error"]:
                return self.aad_error(CONTROL["refresh_error"], client)
            r = REFRESH.get(f.get("refresh_token", ""))
            if r is None:
                return self.aad_error("expired", client)
            if not r["alive"]:
                COUNTS["refresh_reused"] += 1
                return self.aad_error("revoked", client)
            r["alive"] = False  # rotation: this refresh token is used up
            COUNTS["refresh_ok"] += 1
            return self.send_json(200, issue(r["user"], r["scope"], client))
        return self.oauth_error("unsupported_grant_type", "grant_type %r" % grant)

    def introspect(self, f):
        token = f.get("token", "")
        a = ACCESS.get(token)
        if a is None or a["revoked"] or a["exp"] < time.time():
            return self.send_json(200, {"active": False})
        self.send_json(200, {"active": True, "username": a["user"], "scope": a["scope"],
                             "exp": a["exp"], "token_type": "Bearer"})


def main():
    port, cert, key, pidfile = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    # The handshake runs in the request thread: a peer that connects and stalls blocks no one.
    server.socket = context.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
    # Listening now: the server goes on in a child and the command returns, so whoever started it
    # knows it is ready without polling its port (as postfix start -w and dovecot do).
    child = os.fork()
    if child:
        with open(pidfile + ".tmp", "w") as f:
            f.write(str(child))
        os.replace(pidfile + ".tmp", pidfile)
        os._exit(0)
    server.serve_forever()


if __name__ == "__main__":
    main()
