#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Table 8 of tests/bench/run.sh: verify-roundtrip's own overhead = wall time minus the server's
delivery time, and where the wall time goes.

    overhead.py DOVECOT_LOG POSTFIX_LOG LABEL=RUNDIR ...

Each RUNDIR holds runs <i>.wall ("T0 T1": wall-clock µs just before the shell started the
process and just after it exited, from bash's $EPOCHREALTIME), <i>.json (--json) and <i>.trace
(--trace, whose first line gives the wall-clock instant of its time 0). Server delivery time of a
run = from the client's receipt of Postfix's "250 ... queued as Q" to its final dot until
Postfix's LMTP client has Dovecot's "Saved" reply: Postfix's arrival (placed at the instant the
client sent MAIL FROM) + its delay= for Q (µs). Cross-check: until Dovecot's "msgid=<...token...>:
saved mail to INBOX" log line (µs timestamps). The breakdown cuts each run's wall time into
consecutive segments of the trace's timeline (medians per segment, so they need not add up
exactly). See tests/bench/README.md, table 8.
"""
import datetime as dt
import json
import os
import re
import statistics
import sys

LINE = re.compile(r"^\s*(\d+\.\d+) (\S+)\s+([<>*]) ?(.*)$")


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def read_trace(path):
    lines = []
    with open(path, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if m:
                lines.append((float(m.group(1)), m.group(2), m.group(3), m.group(4)))
    return lines


def dovecot_saved(log_path):
    """token -> unix seconds of "saved mail to INBOX" (Dovecot logs local time, no year)."""
    out = {}
    pat = re.compile(r"^(\w{3} +\d+ \d\d:\d\d:\d\d\.\d{6}) lmtp\(.*msgid=<mailverify\.([A-Za-z0-9]+)@[^>]*>: saved mail")
    year = dt.datetime.now().year
    with open(log_path, errors="replace") as f:
        for line in f:
            m = pat.match(line)
            if m:
                t = dt.datetime.strptime(f"{year} {m.group(1)}", "%Y %b %d %H:%M:%S.%f")
                out[m.group(2)] = t.timestamp()  # naive = local time, as Dovecot wrote it
    return out


def postfix_delays(log_path):
    """queue id -> (delay, a, b, c, d) in seconds, from the lmtp status=sent line."""
    out = {}
    pat = re.compile(r" ([0-9A-F]+): to=<[^>]*>, relay=.*, delay=([\d.]+), delays=([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+), .*status=sent")
    with open(log_path, errors="replace") as f:
        for line in f:
            m = pat.search(line)
            if m:
                out[m.group(1)] = tuple(float(x) for x in m.groups()[1:])
    return out


def analyse(rundir, saved, delays):
    runs = []
    for name in sorted(os.listdir(rundir)):
        if not name.endswith(".wall"):
            continue
        i = name[:-5]
        try:
            t_start, t_end = (int(v) / 1e6 for v in open(os.path.join(rundir, name)).read().split())
            doc = json.load(open(os.path.join(rundir, i + ".json")))
            tr = read_trace(os.path.join(rundir, i + ".trace"))
        except (OSError, ValueError):
            continue
        if not doc.get("ok") or not tr:
            continue
        m = re.search(r"started (\S+)Z", tr[0][3])
        if not m:
            continue
        t0 = dt.datetime.fromisoformat(m.group(1)).replace(tzinfo=dt.timezone.utc).timestamp()
        wall = (t_end - t_start) * 1000.0
        accepted = next((x for x in tr if x[1] == "smtp" and x[2] == "<" and "queued as" in x[3]), None)
        token = doc.get("token")
        if accepted is None or token not in saved:
            continue
        qid = accepted[3].rsplit(" ", 1)[-1]
        t250 = accepted[0]
        mail = next((x[0] for x in tr if x[1] == "smtp" and x[2] == ">" and x[3].startswith("MAIL FROM:")), None)
        if mail is None or qid not in delays:
            continue
        # Delivered = Postfix's arrival (smtpd's clock at MAIL FROM) + its delay= (µs, ends when
        # Postfix's LMTP client has Dovecot's "Saved"). Arrival is taken as the instant the client
        # sent MAIL FROM, the earliest it can be; uncertainty: MAIL FROM sent → its 250 received
        # (reported). The end can trail the moment IMAP can see the message (README.md).
        tsaved = mail + delays[qid][0] * 1000.0
        mail_reply = next((x[0] for x in tr if x[1] == "smtp" and x[2] == "<" and x[0] > mail), mail)
        dovecot_saved_at = (saved[token] - t0) * 1000.0  # ms on the trace's timeline
        # Detection: the first line of the main IMAP session after the 250 that shows the message.
        seen = next((x for x in tr if x[1] == "imap" and x[2] == "<" and x[0] > t250 and
                     (re.match(r"\* [1-9]\d* EXISTS", x[3]) or re.match(r"\* SEARCH \d", x[3]))), None)
        last = tr[-1][0]
        r = {"wall": wall, "delivery": tsaved - t250}
        r["overhead"] = wall - r["delivery"]
        r["uncertainty"] = mail_reply - mail
        r["dovecot_delivery"] = dovecot_saved_at - t250
        # Consecutive segments of the wall time (critical path).
        r["seg_start"] = (t0 - t_start) * 1000.0  # fork + exec, start-up, options, TLS context
        r["seg_to_250"] = t250
        r["seg_delivery"] = r["delivery"]
        if seen:
            r["seg_detect"] = seen[0] - tsaved
            r["seg_after"] = last - seen[0]
            # Seen in the reply to a NOOP poll, or in the first look after login (SELECT, SEARCH)
            # because the message was stored before the IMAP session was ready.
            cmd = [x for x in tr if x[1] == "imap" and x[2] == ">" and x[0] < seen[0]]
            by_poll = bool(cmd) and cmd[-1][3].split(" ")[1:2] == ["NOOP"]
            r["detect_poll" if by_poll else "detect_login"] = seen[0] - tsaved
        imap = [x for x in tr if x[1] == "imap"]
        auth = next((x[0] for x in imap if x[2] == ">" and " AUTHENTICATE " in x[3]), None)
        if auth is not None:
            ok = next((x[0] for x in imap if x[2] == "<" and x[0] > auth and re.match(r"\S+ OK", x[3])), None)
            if ok is not None:
                r["imap_login"] = ok - auth
        r["seg_tail"] = (t_end - t0) * 1000.0 - last  # report, destructors, exit
        # Inside "to 250": the SMTP session's waits.
        smtp = [x for x in tr if x[1] == "smtp" and x[0] <= t250]
        conn = next((x[0] for x in smtp if x[2] == "*" and x[3].startswith("connected")), None)
        greet = next((x[0] for x in smtp if x[2] == "<"), None)
        tls = next((x[0] for x in smtp if x[2] == "*" and x[3].startswith("TLS established")), None)
        if conn is not None:
            r["smtp_connect"] = conn
        if tls is not None:
            ready = [x[0] for x in smtp if x[2] == "<" and x[0] < tls]  # the "220 Ready to start TLS"
            if ready:
                r["smtp_tls"] = tls - ready[-1]
        # Server reply waits vs client turn-around on the SMTP path (after TLS, so handshakes are apart).
        wait = think = 0.0
        prev = None
        for x in smtp:
            if tls is not None and x[0] < tls:
                prev = x
                continue
            if prev is not None and x[2] in "<>" and prev[2] in "<>*" and x[2] != prev[2]:
                if x[2] == "<":
                    wait += x[0] - prev[0]
                else:
                    think += x[0] - prev[0]
            if x[2] in "<>*":
                prev = x
        r["smtp_server_wait"] = wait
        r["smtp_client_turn"] = think
        if greet is not None and conn is not None:
            r["smtp_greeting_wait"] = greet - conn
        # After the message is seen: the --json steps' own durations (command sent → reply done).
        steps = doc.get("steps", [])
        seen_at = next((k for k, st in enumerate(steps) if st.get("name") == "imap.arrival"), None)
        if seen_at is not None:
            groups = {"after_fetch": ("imap.fetch", "imap.verify"), "after_folders": ("imap.list",),
                      "after_cleanup": ("imap.expunge", "imap.store", "imap.move", "imap.cleanup"),
                      "after_logout": ("imap.logout", "imap.device2.logout")}
            first_fetch = True
            for st in steps[seen_at + 1:]:
                name = st.get("name", "")
                if name.startswith("imap.device2.") and name != "imap.device2.logout":
                    r["after_devices"] = r.get("after_devices", 0.0) + st["ms"]
                    continue
                if name == "imap.fetch" and not first_fetch:  # the devices check's flag fetch
                    r["after_devices"] = r.get("after_devices", 0.0) + st["ms"]
                    continue
                for key, names in groups.items():
                    if name in names:
                        r[key] = r.get(key, 0.0) + st["ms"]
                if name == "imap.fetch":
                    first_fetch = False
        # Full runs: how long the devices check waited for the 2nd session's login after the find.
        if seen:
            d2auth = next((x[0] for x in tr if x[1] == "imap.device2" and x[2] == ">" and " AUTHENTICATE " in x[3]), None)
            if d2auth is not None:
                d2ok = next((x[0] for x in tr if x[1] == "imap.device2" and x[2] == "<" and x[0] > d2auth and
                             re.match(r"\S+ OK", x[3])), None)
                if d2ok is not None:
                    r["after_wait_dev2"] = max(0.0, d2ok - seen[0])
        for key, name in (("imap_tls", "imap.tls"), ("dev2_tls", "imap.device2.tls")):
            s = [st["ms"] for st in doc.get("steps", []) if st.get("name") == name]
            if s:
                r[key] = s[0]
        runs.append(r)
    return runs


def main():
    dovecot_log, postfix_log = sys.argv[1], sys.argv[2]
    saved = dovecot_saved(dovecot_log)
    delays = postfix_delays(postfix_log)
    results = []
    for arg in sys.argv[3:]:
        label, rundir = arg.split("=", 1)
        results.append((label, analyse(rundir, saved, delays)))

    def med(runs, key):
        return median([r[key] for r in runs if key in r])

    print("| client | wall | server delivery (250 → LMTP Saved) | **overhead** (wall − delivery) | ± (MAIL FROM → 250) | cross-check: 250 → Dovecot's log line | runs |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, runs in results:
        print(f"| {label} | {med(runs, 'wall'):.1f} | {med(runs, 'delivery'):.1f} | **{med(runs, 'overhead'):.1f}** | "
              f"{med(runs, 'uncertainty'):.1f} | {med(runs, 'dovecot_delivery'):.1f} | {len(runs)} |")
    print()
    print("Where the wall time goes (ms, medians per segment; consecutive segments of each run's timeline):")
    print()
    segs = [("seg_start", "launch → trace start (fork + exec, start-up, options, CA load, RNG seed)"),
            ("seg_to_250", "trace start → SMTP 250 to the final dot (connects, TLS, EHLO, AUTH, sending)"),
            ("smtp_connect", "  of which: SMTP TCP connect done"),
            ("smtp_greeting_wait", "  of which: SMTP greeting wait after connect"),
            ("smtp_tls", "  of which: SMTP STARTTLS handshake (client + server CPU)"),
            ("smtp_server_wait", "  of which: waiting for SMTP replies after TLS"),
            ("smtp_client_turn", "  of which: client turn-around between SMTP reply and next command after TLS"),
            ("seg_delivery", "server delivery (250 → Postfix has Dovecot's LMTP Saved)"),
            ("seg_detect", "saved → the client's IMAP session sees it"),
            ("detect_poll", "  runs where a NOOP poll saw it: poll latency (runs)"),
            ("detect_login", "  runs where it was stored before IMAP was ready: waiting for login/SELECT (runs)"),
            ("seg_after", "seen → last wire event (fetch, verify, devices/folders, cleanup, logout)"),
            ("after_wait_dev2", "  of which: waiting for the 2nd session's login (full runs)"),
            ("after_fetch", "  of which (--json step times): fetch and verify"),
            ("after_devices", "  of which (--json step times): devices check (2nd session NOOP, STORE, flags)"),
            ("after_folders", "  of which (--json step times): folders (LIST)"),
            ("after_cleanup", "  of which (--json step times): cleanup (UID STORE \\Deleted + UID EXPUNGE)"),
            ("after_logout", "  of which (--json step times): LOGOUT"),
            ("seg_tail", "last wire event → process exited (report, clean-up, exit)"),
            ("imap_tls", "(parallel) IMAP TLS handshake"),
            ("dev2_tls", "(parallel) 2nd IMAP session TLS handshake"),
            ("imap_login", "(parallel) IMAP AUTHENTICATE → OK (Dovecot auth + imap process start)")]
    print("| segment | " + " | ".join(label for label, _ in results) + " |")
    print("|---|" + "---:|" * len(results))
    for key, text in segs:
        cells = []
        for _, runs in results:
            v = med(runs, key)
            cell = "-" if v != v else f"{v:.1f}"
            if text.endswith("(runs)") and v == v:
                cell += f" ({sum(1 for r in runs if key in r)})"
            cells.append(cell)
        print(f"| {text} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
