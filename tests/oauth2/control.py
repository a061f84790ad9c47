#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tells the test OAuth2 server (oauth_server.py) how to answer next: control.py BASE_URL CA PATH
[JSON]. POSTs the JSON to BASE_URL+PATH (GET without JSON) and prints the answer."""
import ssl
import sys
import urllib.request

base, ca, path = sys.argv[1], sys.argv[2], sys.argv[3]
body = sys.argv[4].encode() if len(sys.argv) > 4 else None
request = urllib.request.Request(base + path, body, {"Content-Type": "application/json"})
with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=ca),
                            timeout=10) as answer:
    sys.stdout.write(answer.read().decode())
