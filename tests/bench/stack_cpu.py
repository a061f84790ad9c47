#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Prints the CPU time (µs, user + system) the mail stack's processes have used so far:
the Postfix and Dovecot masters and all their descendants, each with the CPU of the children it
has reaped (cutime + cstime), so processes that came and went between two calls still count.

    stack_cpu.py MAILSTACK_DIR [--by-name]

With --by-name: one line per process name, "<µs> <name>" (a master's line holds the children it
reaped, e.g. Dovecot's imap processes that ended at LOGOUT).

/proc counts in clock ticks (10 ms here): use the difference over many runs, not one.
"""
import os
import re
import sys

TICK_US = 1_000_000 / os.sysconf("SC_CLK_TCK")


def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    # after "pid (comm)": state ppid ... utime(14) stime(15) cutime(16) cstime(17), 1-based in stat
    return int(rest[1]), sum(int(x) for x in rest[11:15])


def main():
    d = sys.argv[1]
    roots = set()
    for pidfile in (f"{d}/spool/postfix/pid/master.pid", f"{d}/run/dovecot/master.pid"):
        try:
            roots.add(int(open(pidfile).read().strip()))
        except (OSError, ValueError):
            pass
    parent, ticks, names = {}, {}, {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                parent[int(name)], ticks[int(name)] = stat(name)
                cmd = open(f"/proc/{name}/cmdline").read().split("\0")[0].split(" [")[0].strip()
                names[int(name)] = re.sub(r"^dovecot-[^/]*/", "dovecot/", cmd)
            except (OSError, IndexError, ValueError):
                pass

    def in_stack(pid):
        seen = 0
        while pid > 1 and seen < 64:
            if pid in roots:
                return True
            pid, seen = parent.get(pid, 0), seen + 1
        return False

    if "--by-name" in sys.argv:
        by = {}
        for pid, t in ticks.items():
            if in_stack(pid):
                by[names[pid]] = by.get(names[pid], 0) + t
        for n, t in sorted(by.items()):
            print(int(t * TICK_US), n.replace(" ", "_") or "?")
        return
    print(int(sum(t for pid, t in ticks.items() if in_stack(pid)) * TICK_US))


if __name__ == "__main__":
    main()
