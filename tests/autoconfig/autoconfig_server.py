#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A local HTTPS server for the settings-discovery tests: autoconfig documents, an
Autodiscover endpoint, and the misbehaviour a real domain's web server can show.

Why Python: the standard library's http.server + ssl serve HTTPS with the mail stack's
certificate in one small file, as tests/oauth2/oauth_server.py does; no Debian package serves
scripted redirects, huge bodies and stalls on demand.

Usage: autoconfig_server.py PORT CERT KEY DIR
Listens on 127.0.0.1:PORT with CERT/KEY, then prints "ready <pid>" on stdout (the test waits for
that line, so no sleep is needed) and serves until it is sent SIGTERM.

DIR/routes.json maps a request path (without the query) to what is answered, for GET and POST:
  {"status": 302, "location": "https://..."}   a redirect (any status, optional location)
  {"file": "name"}                             200 with DIR/name (text/xml)
  {"status": 401, "headers": {"WWW-Authenticate": "Basic realm=\\"x\\""}}
  {"repeat": "x", "count": N}                  200 with N copies of "x" (a huge body)
  {"hang": true}                               read the request, then never answer
A path without a route is DIR/<path> when that file exists, else 404. Every request is
appended to DIR/requests.log as one JSON line (method, path, headers, body), so a test can
check what the client sent (e.g. that Autodiscover got no credentials).
"""
import json
import os
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NEVER = threading.Event()


def main():
    port, cert, key, root = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    log_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            with log_lock, open(os.path.join(root, "requests.log"), "a") as log:
                log.write(json.dumps({"method": self.command, "path": self.path,
                                      "headers": dict(self.headers.items()),
                                      "body": body.decode("utf-8", "replace")}) + "\n")
            try:
                with open(os.path.join(root, "routes.json")) as f:
                    routes = json.load(f)
            except FileNotFoundError:
                routes = {}
            route = routes.get(path)
            if route is None:
                local = os.path.normpath(os.path.join(root, path.lstrip("/")))
                route = {"file": path.lstrip("/")} if (
                    local.startswith(root) and os.path.isfile(local)) else {"status": 404}
            if route.get("hang"):
                NEVER.wait()
                return
            status = route.get("status", 200)
            if "file" in route:
                with open(os.path.join(root, route["file"]), "rb") as f:
                    payload = f.read()
            elif "repeat" in route:
                payload = route["repeat"].encode() * route["count"]
            else:
                payload = b"" if status != 404 else b"<html><body>Not Found</body></html>"
            self.send_response(status)
            if "location" in route:
                self.send_header("Location", route["location"])
            for name, value in route.get("headers", {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass  # the client stopped reading a body over its limit: what is tested
            self.close_connection = True

        do_GET = answer
        do_POST = answer

    root = os.path.realpath(root)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print("ready", os.getpid(), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
