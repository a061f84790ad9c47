# SPDX-License-Identifier: Apache-2.0
# Records what the local Postfix/Dovecot send (server bytes only) for command sequences that mirror
# the mailverify clients (IMAP tags from ImapTagGenerator(0)). Credentials: a wrong password, or the
# real one, which never appears in server bytes (make_corpus.py output is grepped for it).
# Usage: source .mailstack/env; export the MAILSTACK_* variables; record_transcripts.py OUTDIR
import os, socket, ssl, base64, sys, time

E = os.environ
HOST = "127.0.0.1"
CA = E["MAILSTACK_CA"]
USER = E["MAILSTACK_USER1"]
PASS = E["MAILSTACK_PASS1"] if "MAILSTACK_PASS1" in E else E.get("MAILSTACK_PASS")
ctx = ssl.create_default_context(cafile=CA)

class Conn:
    def __init__(self, port, implicit):
        s = socket.create_connection((HOST, port), timeout=10)
        if implicit:
            s = ctx.wrap_socket(s, server_hostname="localhost")
        self.s = s
        self.buf = b""
        self.rec = b""
    def starttls(self):
        self.s = ctx.wrap_socket(self.s, server_hostname="localhost")
    def send(self, line):
        self.s.sendall(line.encode() + b"\r\n")
    def read_until(self, pred):
        while True:
            if pred(self.buf):
                break
            d = self.s.recv(65536)
            if not d:
                break
            self.buf += d
        self.rec += self.buf
        out, self.buf = self.buf, b""
        return out

def smtp_done(b):
    lines = b.split(b"\r\n")
    return len(lines) >= 2 and len(lines[-2]) >= 4 and lines[-2][3:4] == b" " and b.endswith(b"\r\n")

def tagged(tag):
    return lambda b: (b"\r\n" + tag.encode() + b" ") in (b"\r\n" + b) and b.endswith(b"\r\n")

def line(b):
    return b.endswith(b"\r\n")

def multi(b):
    return b.endswith(b"\r\n.\r\n") or b.startswith(b"-ERR")

M64 = (1 << 64) - 1
class Tags:
    def __init__(self, seed=0):
        self.st = seed
    def next(self):
        self.st = (self.st + 0x9E3779B97F4A7C15) & M64
        z = self.st
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        z ^= z >> 31
        a = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        t = "M"
        for _ in range(10):
            t += a[z % 36]; z //= 36
        return t

def plain(pw):
    return base64.b64encode(b"\0" + USER.encode() + b"\0" + pw.encode()).decode()

def smtp(port, implicit, pw, message):
    c = Conn(port, implicit)
    c.read_until(smtp_done)
    c.send("EHLO fuzz.example.test"); c.read_until(smtp_done)
    if not implicit:
        c.send("STARTTLS"); c.read_until(smtp_done); c.starttls()
        c.send("EHLO fuzz.example.test"); c.read_until(smtp_done)
    c.send("AUTH PLAIN " + plain(pw)); r = c.read_until(smtp_done)
    if r.startswith(b"235") and message:
        c.send("MAIL FROM:<%s>" % USER); c.read_until(smtp_done)
        c.send("RCPT TO:<%s>" % USER); c.read_until(smtp_done)
        c.send("DATA"); c.read_until(smtp_done)
        c.s.sendall(b"From: fuzz\r\nSubject: fuzz seed\r\n\r\n..leading dot\r\n.\r\n")
        c.read_until(smtp_done)
    c.send("QUIT"); c.read_until(smtp_done)
    return c.rec

def imap(port, implicit, pw, uid=None):
    t = Tags(0)
    c = Conn(port, implicit)
    c.read_until(line)
    if not implicit:
        tag = t.next(); c.send(tag + " STARTTLS"); c.read_until(tagged(tag)); c.starttls()
        tag = t.next(); c.send(tag + " CAPABILITY"); c.read_until(tagged(tag))
    tag = t.next(); c.send(tag + " AUTHENTICATE PLAIN " + plain(pw)); r = c.read_until(tagged(tag))
    if b" OK " in r:
        tag = t.next(); c.send(tag + " SELECT INBOX"); c.read_until(tagged(tag))
        tag = t.next(); c.send(tag + " UID SEARCH HEADER X-Mailverify-Token tok123"); r = c.read_until(tagged(tag))
        tag = t.next(); c.send(tag + " UID FETCH %d (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])" % (uid or 1)); c.read_until(tagged(tag))
        tag = t.next(); c.send(tag + " LOGOUT"); c.read_until(tagged(tag))
    return c.rec

def pop3(port, implicit, pw):
    c = Conn(port, implicit)
    c.read_until(line)
    c.send("CAPA"); c.read_until(multi)
    if not implicit:
        c.send("STLS"); c.read_until(line); c.starttls()
        c.send("CAPA"); c.read_until(multi)
    c.send("AUTH PLAIN " + plain(pw)); r = c.read_until(line)
    if r.startswith(b"+OK"):
        c.send("STAT"); r = c.read_until(line)
        n = int(r.split()[1])
        for i in range(n, 0, -1):
            c.send("TOP %d 0" % i); c.read_until(multi)
        c.send("QUIT"); c.read_until(line)
    return c.rec

out = sys.argv[1]
def save(name, data):
    open(os.path.join(out, name), "wb").write(data)

save("smtp_starttls_ok", smtp(int(E["MAILSTACK_SMTP_SUBMISSION_PORT"]), False, PASS, False))
save("smtp_implicit_badpass", smtp(int(E["MAILSTACK_SMTPS_PORT"]), True, "wrong-password", False))
save("imap_implicit_ok", imap(int(E["MAILSTACK_IMAPS_PORT"]), True, PASS))
save("imap_starttls_badpass", imap(int(E["MAILSTACK_IMAP_PORT"]), False, "wrong-password"))
save("pop3_implicit_ok", pop3(int(E["MAILSTACK_POP3S_PORT"]), True, PASS))
save("pop3_starttls_badpass", pop3(int(E["MAILSTACK_POP3_PORT"]), False, "wrong-password"))
