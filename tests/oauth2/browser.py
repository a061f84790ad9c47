#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for the user's browser in the OAuth2 integration tests: opens the authorization URL
the tool printed (trusting the test stack's CA from $MAILSTACK_CA), and follows the server's
redirect to the tool's loopback listener, as a browser would after the user signed in."""
import os
import ssl
import sys
import urllib.request

context = ssl.create_default_context(cafile=os.environ["MAILSTACK_CA"])
opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
with opener.open(sys.argv[1], timeout=20) as answer:
    answer.read()
