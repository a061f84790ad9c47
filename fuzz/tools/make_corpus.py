# SPDX-License-Identifier: Apache-2.0
# Writes the seed corpora: the captures of record_transcripts.py (server bytes only, never
# credentials) behind the option bytes each target reads, plus hand-written hostile cases.
#   python3 fuzz/tools/record_transcripts.py /tmp/rec   (needs the mail stack: source .mailstack/env)
#   python3 fuzz/tools/make_corpus.py /tmp/rec
import os, sys, base64
REC = sys.argv[1]  # where record_transcripts.py wrote the captures
C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus")
def rec(name): return open(os.path.join(REC, name), "rb").read()
def w(target, name, data):
    d = os.path.join(C, target); os.makedirs(d, exist_ok=True)
    assert len(data) < 4096, (target, name, len(data))
    open(os.path.join(d, name), "wb").write(data)
B = bytes

# Trim the long POP3 capture: keep greeting..STAT and the first two TOPs, then QUIT's reply.
pop = rec("pop3_implicit_ok")
idx = 0
for _ in range(3):
    idx = pop.index(b"\r\n.\r\n", idx) + 5
pop_short = pop[:idx] + b"+OK Logging out.\r\n"
# The IMAP capture: keep it whole when small enough, else cut the literal (fix its size).
imap_ok = rec("imap_implicit_ok")
smtp_ok = rec("smtp_starttls_ok"); smtp_bad = rec("smtp_implicit_badpass")
imap_bad = rec("imap_starttls_badpass"); pop_bad = rec("pop3_starttls_badpass")

# --- fuzz_smtp_reply: [limits][chunk seed] stream
t = "fuzz_smtp_reply"
w(t, "real_starttls_session", B([0, 1]) + smtp_ok)
w(t, "real_badpass_bytes", B([0, 0]) + smtp_bad)
w(t, "real_small_limits", B([1, 7]) + smtp_bad)
w(t, "code_change_multiline", B([0, 1]) + b"250-first\r\n251 second\r\n")
w(t, "250X", B([0, 1]) + b"250X\r\n")
w(t, "code_only", B([0, 1]) + b"250\r\n354\r\n")
w(t, "enhanced_mismatch", B([0, 1]) + b"250 5.0.0 text\r\n550 5.7.139 no\r\n421-4.4.2 a\r\n421 b\r\n")
w(t, "bare_lf_and_cr", B([0, 2]) + b"220 hi\n250-a\r\r\n250 b\r\n")
w(t, "nul_bytes", B([0, 1]) + b"220 a\x00b\r\n250 \x00\r\n")
w(t, "endless_line", B([2, 3]) + b"250 " + b"A" * 600)
w(t, "too_many_lines", B([1, 1]) + b"250-x\r\n" * 6 + b"250 y\r\n")
w(t, "bad_codes", B([0, 1]) + b"199 no\r\n")
w(t, "code_600", B([0, 1]) + b"600 no\r\n")
w(t, "empty_line", B([0, 1]) + b"\r\n")

# --- fuzz_imap_framer: [opt][seed]
t = "fuzz_imap_framer"
w(t, "real_imaps_session", B([0, 1]) + imap_ok[:4000])
w(t, "real_starttls", B([0, 0]) + imap_bad)
w(t, "literal_small", B([0, 2]) + b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n")
w(t, "literal_plus_tilde", B([0, 1]) + b"* 1 FETCH (BINARY[] ~{3}\r\nab\x00 X {2+}\r\nxy)\r\n")
w(t, "literal_zero", B([0, 1]) + b"* 1 FETCH (BODY[] {0}\r\n)\r\n")
w(t, "literal_huge", B([0, 1]) + b"* 1 FETCH (BODY[] {18446744073709551615}\r\nab")
w(t, "literal_overflow", B([0, 1]) + b"* 1 FETCH (BODY[] {99999999999999999999}\r\n")
w(t, "literal_over_limit", B([2, 1]) + b"* 1 FETCH (BODY[] {65}\r\n" + b"x" * 65 + b")\r\n")
w(t, "quoted_brace", B([0, 1]) + b"* OK \"not a {5}\"\r\n* OK \"esc \\\" {3}\r\nabc\r\n")
w(t, "endless_line", B([3, 3]) + b"* OK " + b"A" * 300)
w(t, "nul_and_bare_lf", B([0, 1]) + b"* OK a\x00b\n* OK c\r\r\n")
w(t, "empty_brace", B([0, 1]) + b"* OK {}\r\n* OK {+}\r\n* OK x{1-}\r\nZ\r\n")

# --- fuzz_imap_response: [opt][seed]  opt bit2 no sink, bit3 direct parse
t = "fuzz_imap_response"
w(t, "real_imaps_session", B([0, 1]) + imap_ok[:4000])
w(t, "real_starttls", B([0, 0]) + imap_bad)
w(t, "fetch_literal_stream", B([0, 2]) + b"* 3 FETCH (UID 7 FLAGS (\\Seen) RFC822.SIZE 5 BODY[] {5}\r\nhello)\r\n")
w(t, "fetch_quoted_body", B([0, 1]) + b"* 3 FETCH (UID 7 BODY[HEADER] \"X-Mailverify-Token: t\")\r\n")
w(t, "fetch_section_spaces", B([0, 1]) + b"* 2 FETCH (BODY[HEADER.FIELDS (X-Mailverify-Token Message-ID)]<0> {3}\r\nabc UID 9)\r\n")
w(t, "list_special_use", B([0, 1]) + b"* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n* LIST () NIL {5}\r\nINBOX\r\n* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n")
w(t, "search_esearch", B([0, 1]) + b"* SEARCH 1 2 4294967295 4294967296\r\n* ESEARCH (TAG \"a\") UID ALL 1:3\r\n")
w(t, "codes", B([0, 1]) + b"* OK [UIDVALIDITY 1] x\r\n* OK [PERMANENTFLAGS (\\* \\Seen)] y\r\nA1 NO [ALERT] ]]\r\n+ go ahead\r\n+\r\n")
w(t, "deep_nesting", B([2, 1]) + b"* 1 FETCH (FLAGS (((((((a))))))))\r\n")
w(t, "literal_overflow", B([0, 1]) + b"* 1 FETCH (BODY[] {99999999999999999999}\r\n")
w(t, "literal_huge_announced", B([1, 1]) + b"* 1 FETCH (BODY[] {1000}\r\nshort")
w(t, "inline_literal_too_big", B([1, 1]) + b"* LIST () \"/\" {300}\r\nxxxxxxxx")
w(t, "bad_tagged", B([0, 1]) + b"A1 MAYBE fine\r\n")
w(t, "direct_parse", B([8, 0]) + b"* 1 FETCH (UID 1 BODY[] {3-}\r\n)")
w(t, "no_sink", B([4, 1]) + b"* 1 FETCH (BODY[] {2}\r\nhi)\r\n* BYE\r\n")
w(t, "nul_bytes", B([0, 1]) + b"* OK \x00\r\n* \x00 EXISTS\r\n")
w(t, "fetch_seq_edge", B([0, 1]) + b"* FETCH (BODY[] {1}\r\nx)\r\n* 99999999999 FETCH (BODY[] {1}\r\nx)\r\n")

# --- fuzz_pop3_reply: [mode][bits][seed]
t = "fuzz_pop3_reply"
w(t, "real_capa_list", B([3, 0b01, 1]) + pop_bad)
w(t, "real_top_payloads", B([3, 0b10101001, 1]) + pop_short[:4000])
w(t, "status_only", B([0, 0, 1]) + b"+OK hi\r\n-ERR [AUTH] no\r\n+ Y2hhbA==\r\n+\r\n")
w(t, "list_stuffed", B([1, 0, 0]) + b"+OK\r\n1 abc\r\n..dot\r\n.\r\n+OK\r\n.\r\n")
w(t, "payload_stuffed", B([2, 0, 2]) + b"+OK\r\nline\r\n..dot\r\n.x\r\n.\r\n+OK next\r\n")
w(t, "payload_bare_lf_end", B([2, 0, 1]) + b"+OK\r\na\n.\n-ERR x\r\n")
w(t, "payload_truncated", B([2, 0, 1]) + b"+OK\r\nabc\r\n")
w(t, "small_limits", B([6, 0, 3]) + b"+OK 12345678901234567890\r\n" + b"payload " * 10 + b"\r\n.\r\n")
w(t, "bad_status", B([0, 0, 1]) + b"+OKAY\r\n")
w(t, "uidl_lines", B([1, 0, 1]) + b"+OK\r\n1 abc\r\n2 " + b"u" * 71 + b"\r\n3 \x01\r\n.\r\n")
w(t, "nul_bytes", B([2, 0, 1]) + b"+OK\r\n\x00\x00\r\n.\r\n")
w(t, "endless_line", B([4, 0, 3]) + b"+OK " + b"A" * 100)

# --- fuzz_dot_stuffing: [seed1][seed2] text
t = "fuzz_dot_stuffing"
w(t, "empty", B([0, 0]))
w(t, "dots", B([1, 0]) + b".\r\n..\r\n.x\r\nend")
w(t, "line_ends", B([2, 3]) + b"a\rb\nc\r\n\r\r\n\n.\r.\n")
w(t, "terminator_inside", B([1, 1]) + b"body\r\n.\r\nmore\r\n")
w(t, "nul", B([0, 2]) + b"\x00.\x00\r\n.\x00")
w(t, "real_message", B([6, 9]) + imap_ok[imap_ok.index(b"{883}\r\n") + 7:][:883])

# --- fuzz_sasl: [opt][userlen][user][namelen][name] (len challenge)*
def sasl(opt, user, name, challenges):
    out = B([opt, len(user)]) + user + B([len(name)]) + name
    for c in challenges: out += B([len(c)]) + c
    return out
t = "fuzz_sasl"
cram = base64.b64encode(b"<1896.697170952@postoffice.example.net>")
w(t, "cram_md5", sasl(2, b"tim", b"CRAM-MD5", [cram]))
w(t, "cram_md5_bad_b64", sasl(2, b"tim", b"cram-md5", [b"PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+=", b"====", b"QR=="]))
w(t, "login", sasl(1, b"u", b"LOGIN", [base64.b64encode(b"Username:"), base64.b64encode(b"Password:"), b""]))
w(t, "plain_empty_challenge", sasl(0, b"alice", b"PLAIN", [b"", b""]))
w(t, "xoauth2_error", sasl(3 | 0x40, b"a@b", b"XOAUTH2", [base64.b64encode(b'{"status":"401","schemes":"bearer"}'), b""]))
w(t, "oauthbearer_error", sasl(4 | 0x40, b"a@b", b"OAUTHBEARER", [base64.b64encode(b'{"status":"invalid_token"}')]))
w(t, "rounds", sasl(2 | 0x38, b"x", b"NONE", [b"YQ=="] * 12))
w(t, "whitespace_b64", sasl(2, b"", b"plain", [b"YW Jj", b"YWJj\r\n", b"YWJ", b"\x00\x00\x00\x00"]))

# --- fuzz_message_scanner: [opt][seed][token] message
t = "fuzz_message_scanner"
tok = b"tok123"
msg = b"From: a\r\nX-Mailverify-Token:\r\n tok123 \r\nMessage-ID: <x@y>\r\n\r\nbody\r\n\r\n"
w(t, "folded_token", B([len(tok) << 1, 1]) + tok + msg)
w(t, "real_message", B([len(tok) << 1, 3]) + tok + imap_ok[imap_ok.index(b"{883}\r\n") + 7:][:883])
w(t, "header_only", B([1 | (len(tok) << 1), 0]) + tok + b"X-Mailverify-Token: tok123")
w(t, "bare_lf", B([len(tok) << 1, 2]) + tok + b"Message-ID: <a>\nX-Mailverify-Token: other\nX-Mailverify-Token: tok123\n\nx\ry\n\n\n")
w(t, "long_field", B([0, 7]) + b"Subject: " + b"x" * 3000 + b"\r\n\r\n")
w(t, "nul", B([0, 1]) + b"X-Mailverify-Token: a\x00b\r\n\x00\r\n\r\n\x00")

# --- fuzz_smtp_session: [o0][o1][seed]
t = "fuzz_smtp_session"
STARTTLS, NONE, PLAINOK, CREDS, TOKEN, MSG = 1, 2, 4, 8, 16, 32
w(t, "real_starttls_auth_ok", B([STARTTLS | CREDS, 1, 1]) + smtp_ok)
w(t, "real_implicit_badpass", B([CREDS, 0, 1]) + smtp_bad)
ehlo = smtp_bad[smtp_bad.index(b"250-"):smtp_bad.index(b"535")]
full = (b"220 mail.example.test ESMTP\r\n" + ehlo + b"235 2.7.0 Authentication successful\r\n"
        b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
        b"250 2.0.0 Ok: queued as 4Xy1Z\r\n221 2.0.0 Bye\r\n")
w(t, "full_send_implicit", B([CREDS | MSG, 0, 1]) + full)
w(t, "full_send_consume_1", B([CREDS | MSG | 0x40, 1, 1]) + full)
w(t, "no_auth_send", B([MSG, 0, 1]) + b"220 x\r\n250-x\r\n250 PIPELINING\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n221 bye\r\n")
w(t, "starttls_injection", B([STARTTLS | CREDS, 0, 1]) + smtp_ok[:smtp_ok.index(b"220 2.0.0")] + b"220 2.0.0 Ready\r\n250 injected\r\n")
w(t, "login_challenges", B([CREDS, 2, 1]) + b"220 x\r\n250-x\r\n250 AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n221 bye\r\n")
w(t, "cram_md5", B([CREDS, 3, 1]) + b"220 x\r\n250-x\r\n250 AUTH CRAM-MD5\r\n334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+\r\n535 no\r\n")
w(t, "xoauth2_error", B([CREDS | TOKEN, 4, 1]) + b"220 x\r\n250-x\r\n250 AUTH XOAUTH2 OAUTHBEARER\r\n334 eyJzdGF0dXMiOiI0MDEifQ==\r\n535 5.7.8 no\r\n")
w(t, "plaintext_refused", B([NONE | CREDS, 0, 1]) + b"220 x\r\n250-x\r\n250 AUTH PLAIN\r\n")
w(t, "plaintext_allowed_helo", B([NONE | PLAINOK | CREDS | MSG, 0, 1]) + b"220 x\r\n502 no ehlo\r\n250 helo ok\r\n")
w(t, "greeting_refused", B([0, 0, 1]) + b"554 5.7.1 go away\r\n")
w(t, "code_change", B([0, 0, 1]) + b"220-a\r\n221 b\r\n")
w(t, "early_reply", B([CREDS, 0, 0]) + b"220 x\r\n250 x\r\n235 early\r\n")
w(t, "bad_challenge", B([CREDS, 1, 1]) + b"220 x\r\n250-x\r\n250 AUTH PLAIN\r\n334 !!!notbase64\r\n")
w(t, "huge_size_small_limits", B([CREDS | MSG, 8, 1]) + b"220 x\r\n250-x\r\n250-SIZE 99999999999999999999\r\n250-AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2\r\n250 X\r\n")
w(t, "data_rejected", B([MSG | 0x80, 0, 3]) + b"220 x\r\n250 x\r\n250 ok\r\n250 ok\r\n354 go\r\n554 5.6.0 rejected\r\n")

# --- fuzz_imap_session: [o0][o1][seed][extras]
t = "fuzz_imap_session"
w(t, "real_imaps_ok_search_fetch", B([0, 0, 1, 0]) + imap_ok[:4000])
w(t, "real_starttls_badpass", B([STARTTLS, 0, 1, 0]) + imap_bad)
w("fuzz_smtp_session", "starttls_injection", B([STARTTLS | CREDS, 0, 5]) + smtp_ok[:smtp_ok.index(b"220 2.0.0")] + b"220 2.0.0 Ready\r\n250 injected\r\n")
w("fuzz_smtp_session", "early_reply", B([CREDS, 0, 5]) + b"220 x\r\n250-x\r\n250 AUTH PLAIN\r\n235 early\r\n")

M64 = (1 << 64) - 1
class Tags:
    def __init__(self, seed=0): self.st = seed
    def next(self):
        self.st = (self.st + 0x9E3779B97F4A7C15) & M64
        z = self.st
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        z ^= z >> 31
        a = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"; t = "M"
        for _ in range(10): t += a[z % 36]; z //= 36
        return t
T = Tags(0); tg = [T.next().encode() for _ in range(20)]
t = "fuzz_imap_session"
caps = b"IMAP4rev1 SASL-IR IDLE UIDPLUS MOVE SPECIAL-USE LIST-EXTENDED NAMESPACE LITERAL+ AUTH=PLAIN AUTH=LOGIN AUTH=CRAM-MD5"
msg = b"Message-ID: <a@b>\r\nX-Mailverify-Token: tok123\r\n\r\nbody\r\n"
sel = (b"* FLAGS (\\Seen \\Deleted)\r\n* 1 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n* OK [UIDNEXT 43] n\r\n")
rich = (b"* OK [CAPABILITY " + caps + b"] ready\r\n"
        + tg[0] + b" OK [CAPABILITY " + caps + b"] Logged in\r\n"
        + sel + tg[1] + b" OK [READ-WRITE] Select completed\r\n"
        + b"* SEARCH 42\r\n" + tg[2] + b" OK Search completed\r\n"
        + b"* 1 FETCH (UID 42 FLAGS (\\Seen) INTERNALDATE \"22-Nov-2026 01:32:08 +0000\" RFC822.SIZE %d BODY[] {%d}\r\n" % (len(msg), len(msg)) + msg + b")\r\n"
        + tg[3] + b" OK Fetch completed\r\n"
        + b"* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n* LIST () \"/\" INBOX\r\n" + tg[4] + b" OK List completed\r\n"
        + b"* 2 EXISTS\r\n" + tg[5] + b" OK NOOP completed\r\n"
        + b"* 1 FETCH (UID 42 FLAGS (\\Seen \\Flagged))\r\n" + tg[6] + b" OK Fetch completed\r\n"
        + tg[7] + b" OK Store completed\r\n"
        + b"+ idling\r\n" + tg[8] + b" OK Idle completed\r\n"
        + tg[9] + b" OK Store completed\r\n"
        + b"* 1 EXPUNGE\r\n" + tg[10] + b" OK Expunge completed\r\n"
        + tg[11] + b" OK Move completed\r\n"
        + b"* BYE Logging out\r\n" + tg[12] + b" OK Logout completed\r\n")
w(t, "rich_all_tasks", B([0, 0, 1, 0x7F]) + rich)
w(t, "rich_consume_7_examine", B([16 | 0x80, 0, 1, 0x01]) + rich)
login = (b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n+ \r\n" + tg[0] + b" OK done\r\n")
w(t, "login_literal", B([0, 0, 1, 0]) + b"* OK [CAPABILITY IMAP4rev1] ready\r\n+ go\r\n+ go\r\n" + tg[0] + b" OK logged in\r\n* CAPABILITY IMAP4rev1\r\n" + tg[1] + b" OK\r\n")
w(t, "authenticate_no_ir", B([0, 1, 1, 0]) + login)
w(t, "cram_md5", B([0, 3, 1, 0]) + b"* OK [CAPABILITY IMAP4rev1 AUTH=CRAM-MD5] ready\r\n+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+\r\n" + tg[0] + b" NO [AUTHENTICATIONFAILED] bad\r\n")
w(t, "preauth_bye", B([0, 0, 1, 0]) + b"* PREAUTH hi\r\n* BYE shutting down\r\n")
w(t, "starttls_injection", B([STARTTLS, 0, 5, 0]) + b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n" + tg[0] + b" OK Begin TLS\r\n* OK injected\r\n")
w(t, "plaintext_refused", B([NONE, 0, 1, 0]) + b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n")
w(t, "logindisabled", B([NONE | PLAINOK, 0, 1, 0]) + b"* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\r\n")
w(t, "wrong_tag", B([0, 0, 1, 0]) + b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\nA001 OK who\r\n")
w(t, "huge_literal_fetch", B([0, 0, 1, 0]) + rich[:rich.index(b"* 1 FETCH")] + b"* 1 FETCH (UID 42 BODY[] {99999999999999999999}\r\n")
w(t, "literal_truncated_eof", B([0, 8, 1, 0]) + rich[:rich.index(b"* 1 FETCH")] + b"* 1 FETCH (UID 42 BODY[] {4000}\r\nshort")
w(t, "greeting_nul", B([0, 0, 0, 0]) + b"* OK \x00[CAPABILITY IMAP4rev1]\r\n")

# --- fuzz_pop3_session: [o0][o1][seed][o3]
t = "fuzz_pop3_session"
w(t, "real_implicit_top", B([0, 1, 1, 0]) + pop_short[:4000])
w(t, "real_stls_badpass", B([STARTTLS, 1, 1, 0]) + pop_bad)
pmsg = b"Message-ID: <a@b>\r\nX-Mailverify-Token: tok123\r\n\r\n..dotted\r\nbody\r\n.\r\n"
prich = (b"+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n"
         b"+OK\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN LOGIN CRAM-MD5\r\n.\r\n"
         b"+OK Logged in.\r\n+OK 2 320\r\n"
         b"+OK\r\nMessage-ID: <c@d>\r\n\r\n.\r\n"
         b"+OK\r\nX-Mailverify-Token: other\r\n\r\n.\r\n")
w(t, "find_token_miss_then_retr", B([0, 1, 1, 0x07]) + prich + b"+OK\r\n" + pmsg + b"+OK\r\n1 abc\r\n2 def\r\n.\r\n+OK marked\r\n+OK reset\r\n+OK bye\r\n")
prich2 = prich.replace(b"X-Mailverify-Token: other", b"X-Mailverify-Token: tok123")
w(t, "find_token_hit", B([0, 1, 1, 0]) + prich2 + b"+OK\r\n" + pmsg + b"+OK bye\r\n")
w(t, "up_front_tasks", B([0x40, 1, 1, 0x85]) + prich + b"+OK\r\n1 abc\r\n.\r\n+OK\r\n+OK bye\r\n")
w(t, "user_pass", B([0, 0, 1, 0]) + b"+OK hi\r\n-ERR no CAPA\r\n+OK user\r\n+OK pass\r\n+OK 0 0\r\n+OK bye\r\n")
w(t, "login_sasl", B([0, 2, 1, 0]) + b"+OK hi\r\n+OK\r\nSASL LOGIN\r\n.\r\n+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\n+OK\r\n+OK 0 0\r\n+OK\r\n")
w(t, "cram_md5", B([0, 3, 1, 0]) + b"+OK hi\r\n+OK\r\nSASL CRAM-MD5\r\n.\r\n+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+\r\n-ERR [AUTH] bad\r\n")
w(t, "oauth_error", B([8, 5, 1, 0]) + b"+OK hi\r\n+OK\r\nSASL OAUTHBEARER XOAUTH2\r\n.\r\n+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n-ERR [AUTH] bad\r\n")
w(t, "stls_injection", B([STARTTLS, 0, 5, 0]) + b"+OK hi\r\n+OK\r\nSTLS\r\n.\r\n+OK go\r\n+OK injected\r\n")
w(t, "none_no_consent", B([NONE, 0, 1, 0]) + b"+OK hi\r\n+OK\r\nUSER\r\n.\r\n")
w(t, "none_consent", B([NONE | PLAINOK, 0, 1, 0x80]) + b"+OK hi\r\n+OK\r\nUSER\r\n.\r\n+OK\r\n+OK\r\n+OK 1 10\r\n+OK\r\nX-Mailverify-Token: tok123\r\n.\r\n+OK bye\r\n")
w(t, "stat_overflow", B([0, 0, 1, 0]) + b"+OK hi\r\n+OK\r\nUSER\r\n.\r\n+OK\r\n+OK\r\n+OK 99999999999 99999999999999999999999\r\n")
w(t, "retr_truncated", B([0, 9, 1, 0]) + prich2 + b"+OK\r\nX-Mailverify-Token: tok123\r\n")
w(t, "endless_line", B([0, 8, 3, 0]) + b"+OK " + b"A" * 200)
w(t, "bad_uidl", B([0, 1, 1, 0x01]) + prich + b"+OK\r\n1\r\n.\r\n")
