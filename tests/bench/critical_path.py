#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Round trips on the critical path of one verify-roundtrip run, from its --trace file.

    critical_path.py TRACE...      prints per trace: "total submit after_250 polls"

Walks back from the run's last event. Each event has one cause: a server line answers the latest
thing the client did on that connection before it (a command sent, the TLS handshake finished,
the connect); a command the client sent was prompted by the latest server line on any of its
connections before it (or by its own connection's TLS handshake or connect). Every step back
across the wire is one round trip: a command and its reply, a TCP connect (SYN / SYN-ACK), a TLS
handshake (1 for TLS 1.3 and for a resumed TLS 1.2 session, 2 for a full TLS 1.2 one; the trace
shows the handshake as one event, so its flights are counted by version), and a server's first
line after the connect or the handshake (it answers the client's last flight: ACK, Finished).

total: every round trip on the path; submit: those up to SMTP's "250 ... queued" reply to the
message; after_250: those after it; polls: arrival polls after the 250 whose search found
nothing (NOOP / UID SEARCH flights that were waiting for delivery, not work the client chose).
"RTTs + delivery" in RESULTS.md is total - polls.
"""
import re
import sys

LINE = re.compile(r"^\s*([0-9.]+)\s+(\S+)\s+([<>*])\s?(.*)$")


def parse(path):
    events = []  # (time, session, kind, text); kind: send, recv, connect, tls
    for raw in open(path, errors="replace"):
        m = LINE.match(raw.rstrip("\n"))
        if not m:
            continue
        t, session, d, text = float(m.group(1)), m.group(2), m.group(3), m.group(4)
        if session == "trace":
            continue
        if d == ">":
            events.append((t, session, "send", text))
        elif d == "<":
            events.append((t, session, "recv", text))
        elif text.startswith("connected to"):
            events.append((t, session, "connect", text))
        elif text.startswith("TLS established"):
            events.append((t, session, "tls", text))
    return events


def tls_round_trips(text):
    if "TLSv1.3" in text or "resumed" in text:
        return 1
    return 2


def count(events):
    if not events:
        return None
    queued_at = next((e[0] for e in events if e[2] == "recv" and re.match(r"250 .*queued", e[3])),
                     None)
    # Poll flights that found nothing: a NOOP, or a UID SEARCH answered by an empty "* SEARCH".
    empty_search_tags = set()
    for i, e in enumerate(events):
        if e[2] == "recv" and re.fullmatch(r"\* SEARCH\s*", e[3]):
            empty_search_tags.add((e[1], i))
    total = submit = after = polls = 0
    idx = len(events) - 1
    # The run's last server line (or event) ends the path.
    while idx >= 0 and events[idx][2] not in ("recv", "tls", "connect"):
        idx -= 1
    cur = events[idx] if idx >= 0 else None
    while cur is not None:
        t, session, kind, text = cur
        # What caused cur: for a server line, the latest own-connection client action before it.
        if kind == "recv":
            cause = None
            for e in reversed(events[:events.index(cur)]):
                if e[1] == session and e[2] in ("send", "tls", "connect"):
                    cause = e
                    break
            if cause is None:
                break
            if cause[2] == "send":
                rt = 1
                is_poll = queued_at is not None and cause[0] > queued_at and re.match(
                    r"\S+ (NOOP|UID SEARCH)", cause[3]) and not found_between(events, session, cause, cur)
            else:
                # The server speaks first once the connection (or TLS) is up: it has to see the
                # client's last flight (the ACK, TLS Finished), so its line is one more trip.
                rt, is_poll = 1, False
            total += rt
            if rt and cause[0] >= (queued_at if queued_at is not None else float("inf")):
                after += rt
                polls += 1 if is_poll else 0
            else:
                submit += rt
            cur = cause
            continue
        if kind == "tls":
            n = tls_round_trips(text)
            total += n
            submit += n if queued_at is None or t <= queued_at else 0
            after += n if queued_at is not None and t > queued_at else 0
            # Started right after its own connection's connect or STARTTLS reply.
            own = [e for e in events[:events.index(cur)] if e[1] == session and e[2] in ("recv", "connect")]
            if own and own[-1][2] == "connect":
                cur = own[-1]
                continue
            cur = own[-1] if own else None
            continue
        if kind == "connect":
            total += 1
            if queued_at is not None and t > queued_at:
                after += 1
            else:
                submit += 1
            if not any(e[2] == "recv" for e in events[:events.index(cur)] if e[1] == session):
                # What prompted this connection: the latest server line on another connection.
                prior = [e for e in events[:events.index(cur)] if e[2] == "recv"]
                cur = prior[-1] if prior else None
                continue
        # A client action (send, TLS start, connect): prompted by the latest server line before it
        # on any connection, or by its own connection's TLS handshake / connect.
        before = events[:events.index(cur)]
        prompt = None
        for e in reversed(before):
            if e[2] == "recv" or (e[1] == session and e[2] in ("tls", "connect")):
                prompt = e
                break
        cur = prompt
    return total, submit, after, polls


def found_between(events, session, send, reply):
    i, j = events.index(send), events.index(reply)
    return any(e[1] == session and e[2] == "recv" and re.match(r"\* SEARCH \d", e[3])
               for e in events[i:j + 1])


if __name__ == "__main__":
    for path in sys.argv[1:]:
        r = count(parse(path))
        print(" ".join(str(x) for x in r) if r else "nan nan nan nan")
