#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""--accounts at scale: 1, 10, 100 and 1,000 accounts at concurrency 8, 64 and 256, in one process,
against a private Postfix + Dovecot of tests/mailstack started for it (its own directory and
ports, MAILSTACK_PROCESS_LIMIT raised: Postfix's and Dovecot's default of 100 processes is the
first bottleneck at concurrency 256, each account holding up to two IMAP sessions).

Usage: tests/bench/accounts_scale.py [--sizes 1,10,100,1000] [--concurrency 8,64,256]
                                     [--check none] [--binary build/verify-roundtrip]
Creates the users bench0001..benchNNNN in the bench stack's passwd-file and Postfix's mailbox
map, runs `verify-roundtrip --accounts FILE --json`, and prints a markdown table: wall time,
client CPU (user+sys) per account, peak RSS, RSS per concurrent account (peak RSS less the
1-account run's, over min(N, C)), the most descriptors open at once (sampled every 5 ms from
/proc), peak RSS (VmHWM, sampled likewise), and failures (with their error codes). Not run by ctest.
"""
import argparse
import json
import os
import pathlib
import resource
import select
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]


def sh(*args, **kw):
    return subprocess.run(args, check=True, text=True, capture_output=True, **kw).stdout


def stack_env(stack_dir, port_base, limit):
    env = dict(os.environ, MAILSTACK_DIR=str(stack_dir), MAILSTACK_PORT_BASE=str(port_base),
               MAILSTACK_PROCESS_LIMIT=str(limit))
    out = sh(str(REPO / "tests/mailstack/mailstack.sh"), "start", env=env)
    print(out.strip().splitlines()[-1], file=sys.stderr)
    values = {}
    for line in (stack_dir / "env").read_text().splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export "):].partition("=")
            values[key] = value.strip("'")
    return env, values


def add_users(stack_dir, values, count, password):
    """bench0001..benchNNNN with one password (one CRAM-MD5 hash) in Dovecot's passwd-file and
    Postfix's mailbox map; Postfix reloads the map, Dovecot re-reads the file on change."""
    domain = values["MAILSTACK_DOMAIN"]
    users = [f"bench{i:04d}@{domain}" for i in range(1, count + 1)]
    hashed = sh("doveadm", "-O", "pw", "-s", "CRAM-MD5", "-p", password).strip()
    passwd = stack_dir / "etc/dovecot/users"
    base = [l for l in passwd.read_text().splitlines() if not l.startswith("bench")]
    passwd.write_text("\n".join(base + [f"{u}:{hashed}::::::" for u in users]) + "\n")
    vmailbox = stack_dir / "etc/postfix/vmailbox"
    base = [l for l in vmailbox.read_text().splitlines() if not l.startswith("bench")]
    vmailbox.write_text("\n".join(base + [f"{u} OK" for u in users]) + "\n")
    restart_postfix(stack_dir)
    return users


def restart_postfix(stack_dir):
    """Restarted rather than reloaded: `postfix start` returns once the new master listens, so every
    smtpd after it reads the new map, where a reload would leave that to a moment nobody is told
    of. The old master's end is waited for through a pidfd, not by sleeping."""
    conf = str(stack_dir / "etc/postfix")
    pid = int((stack_dir / "spool/postfix/pid/master.pid").read_text())
    sh("postfix", "-c", conf, "stop")
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        fd = None
    if fd is not None:
        select.select([fd], [], [], 30)
        os.close(fd)
    sh("postfix", "-c", conf, "start")


def run(binary, values, users, concurrency, check, password):
    with tempfile.NamedTemporaryFile("w", suffix=".accounts", delete=False) as f:
        for u in users:
            f.write(f"--email {u}\n")
        accounts = f.name
    args = [binary, "--accounts", accounts, "--concurrency", str(concurrency), "--json",
            "--password-env", "BENCH_PASSWORD", "--host", values["MAILSTACK_TLS_NAME"],
            "--smtp-port", values["MAILSTACK_SMTP_SUBMISSION_PORT"],
            "--imap-port", values["MAILSTACK_IMAPS_PORT"], "--cafile", values["MAILSTACK_CA"],
            "--check", check, "--delivery-timeout", "120", "--timeout", "60",
            "--connect-timeout", "30"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    out = tempfile.TemporaryFile()
    proc = subprocess.Popen(args, stdout=out, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, BENCH_PASSWORD=password))
    fds = hwm_kib = 0
    fd_dir, status = f"/proc/{proc.pid}/fd", f"/proc/{proc.pid}/status"
    while proc.poll() is None:
        try:
            fds = max(fds, len(os.listdir(fd_dir)))
            for line in open(status):
                if line.startswith("VmHWM:"):
                    hwm_kib = max(hwm_kib, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.005)  # the sampling interval of the fd and memory peaks; not a synchronisation
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.unlink(accounts)
    out.seek(0)
    docs = [json.loads(l) for l in out.read().decode().splitlines() if l.strip()]
    failures = {}
    for d in docs:
        if not d["ok"]:
            code = d["error"]["code"]
            failures[code] = failures.get(code, 0) + 1
    missing = len(users) - len(docs)
    if missing:
        failures["no result"] = missing
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rss_kib": hwm_kib, "fds": fds, "failures": failures,
            "exit": proc.returncode}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,10,100,1000")
    ap.add_argument("--concurrency", default="8,64,256")
    ap.add_argument("--check", default="none")
    ap.add_argument("--binary", default=str(REPO / "build/verify-roundtrip"))
    ap.add_argument("--port-base", type=int,
                    default=int(os.environ.get("BENCH_PORT_BASE", os.environ.get("MAILSTACK_PORT_BASE", 13000))))
    ap.add_argument("--process-limit", type=int, default=2048)
    a = ap.parse_args()
    sizes = [int(x) for x in a.sizes.split(",")]
    levels = [int(x) for x in a.concurrency.split(",")]
    stack_dir = REPO / ".mailstack-bench"
    env, values = stack_env(stack_dir, a.port_base, a.process_limit)
    password = "bench-Pw-5b1e9c"
    users = add_users(stack_dir, values, max(sizes), password)
    print("| accounts | concurrency | wall s | client CPU ms/account | peak RSS MiB | "
          "RSS KiB/concurrent account | fds peak | failures |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    base_rss = None
    try:
        for n in sizes:
            for c in levels:
                if n == 1 and c != levels[0]:
                    continue  # one account: the concurrency changes nothing
                r = run(a.binary, values, users[:n], c, a.check, password)
                if base_rss is None:
                    base_rss = r["rss_kib"]
                inflight = min(n, c)
                per = (r["rss_kib"] - base_rss) / inflight if inflight > 1 else 0
                fails = ", ".join(f"{k} {v}" for k, v in sorted(r["failures"].items())) or "0"
                print(f"| {n} | {c} | {r['wall']:.2f} | {r['cpu'] * 1000 / n:.1f} | "
                      f"{r['rss_kib'] / 1024:.1f} | {per:.0f} | {r['fds']} | {fails} |",
                      flush=True)
    finally:
        subprocess.run([str(REPO / "tests/mailstack/mailstack.sh"), "stop"], env=env,
                       capture_output=True)


if __name__ == "__main__":
    main()
