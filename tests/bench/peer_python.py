#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Benchmark peer: the round trip with nothing but the standard library.

smtplib submits a tagged message over 587 (STARTTLS, certificate verified, AUTH PLAIN), then
imaplib logs in over IMAPS, polls UID SEARCH every 20 ms until the message is there, fetches it
with UID FETCH BODY[] and checks that the token is in it. No cleanup inside the timed run: run.sh
removes the peers' messages afterwards (--purge).

    peer_python.py HOST SMTP_PORT IMAPS_PORT USER CAFILE      (password in $BENCH_PASSWORD)
    peer_python.py --purge HOST IMAPS_PORT USER CAFILE        (delete every "mvbench" message)
"""
import imaplib
import os
import secrets
import smtplib
import ssl
import sys
import time


def context(cafile):
    ctx = ssl.create_default_context(cafile=cafile)
    return ctx


def purge(host, imaps_port, user, cafile, password):
    with imaplib.IMAP4_SSL(host, int(imaps_port), ssl_context=context(cafile)) as imap:
        imap.login(user, password)
        imap.select("INBOX")
        _, data = imap.uid("SEARCH", "HEADER", "Subject", "mvbench")
        uids = data[0].split()
        if uids:
            imap.uid("STORE", b",".join(uids), "+FLAGS.SILENT", "(\\Deleted)")
            imap.expunge()
        imap.logout()


def round_trip(host, smtp_port, imaps_port, user, cafile, password):
    token = secrets.token_hex(10)
    message = (
        f"From: <{user}>\r\nTo: <{user}>\r\nSubject: mvbench {token}\r\n"
        f"Message-ID: <{token}@mvbench>\r\n\r\nmvbench python peer {token}\r\n"
    )
    with smtplib.SMTP(host, int(smtp_port), local_hostname="localhost") as smtp:
        smtp.starttls(context=context(cafile))
        smtp.login(user, password)
        smtp.sendmail(user, [user], message)
    with imaplib.IMAP4_SSL(host, int(imaps_port), ssl_context=context(cafile)) as imap:
        imap.login(user, password)
        imap.select("INBOX")
        deadline = time.monotonic() + 30
        while True:
            _, data = imap.uid("SEARCH", "HEADER", "Subject", token)
            uids = data[0].split()
            if uids:
                break
            if time.monotonic() > deadline:
                sys.exit("peer_python: message did not arrive")
            time.sleep(0.02)  # the peer's own polling interval, measured; not a synchronisation
        _, data = imap.uid("FETCH", uids[-1], "(BODY.PEEK[])")
        if token.encode() not in data[0][1]:
            sys.exit("peer_python: token missing from the fetched message")
        imap.logout()


def main():
    password = os.environ.get("BENCH_PASSWORD")
    if not password:
        sys.exit("peer_python: set BENCH_PASSWORD")
    if len(sys.argv) == 6 and sys.argv[1] == "--purge":
        purge(*sys.argv[2:], password)
    elif len(sys.argv) == 6:
        round_trip(*sys.argv[1:], password)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
