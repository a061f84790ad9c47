# SPDX-License-Identifier: Apache-2.0
# Writes hand-written seeds that need no capture: whole server dialogues in the shape of well-known
# servers (Gmail, Exchange/Outlook, Dovecot, Postfix, Courier-like POP3) for the session targets,
# reaching states the local captures do not (IDLE, NAMESPACE, MOVE, removals, SMTPUTF8, SIZE,
# pipelined polls, refusals), and the seeds of the small parser targets (IDNA, modified UTF-7,
# HTTP requests, the test message). Server bytes only; the option bytes each target reads come
# first (see the target's header). Check how deep a session seed gets with
#   MV_FUZZ_VERBOSE=1 build/fuzz/fuzz_imap_session fuzz/corpus/fuzz_imap_session/FILE
#   python3 fuzz/tools/make_dialogues.py
import base64
import os

C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus")
B = bytes


def w(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(C, target)
    os.makedirs(d, exist_ok=True)
    assert len(data) < 4096, (target, name, len(data))
    open(os.path.join(d, name), "wb").write(data)


def imap_tags(n):
    """The first n tags of ImapTagGenerator(0) (splitmix64, base 36), as the session target uses."""
    out, s, m = [], 0, 2**64
    for _ in range(n):
        s = (s + 0x9E3779B97F4A7C15) % m
        z = s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % m
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % m
        z ^= z >> 31
        t = "M"
        for _ in range(10):
            t += "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[z % 36]
            z //= 36
        out.append(t)
    return out


def imap(lines):
    """Server lines; "T " at the start stands for the next command's tag, in the order sent."""
    tags = iter(imap_tags(40))
    out = []
    for line in lines:
        out.append(next(tags) + line[1:] if line.startswith("T ") else line)
    return ("\r\n".join(out) + "\r\n").encode()


def crlf(lines):
    return ("\r\n".join(lines) + "\r\n").encode()


def b64(s):
    return base64.b64encode(s.encode()).decode()


MESSAGE = ("Message-ID: <a1@mail.example.test>\r\nX-Mailverify-Token: tok123\r\n"
           "Subject: mailverify round-trip test tok123\r\n\r\nbody line\r\n")
GMAIL_CAPS = ("IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 UIDPLUS "
              "COMPRESS=DEFLATE ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED "
              "LIST-STATUS LITERAL- SPECIAL-USE APPENDLIMIT=35651584")
EXCHANGE_CAPS = "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+"

# --- fuzz_imap_session: [o0][o1][seed][extras]; seed 1 = one line per read.
t = "fuzz_imap_session"
fetch = [f"* 1 FETCH (UID 42 FLAGS (\\Seen) RFC822.SIZE {len(MESSAGE)} BODY[] {{{len(MESSAGE)}}}",
         MESSAGE + ")"]
# Gmail: no capabilities in the greeting, XOAUTH2 with SASL-IR, the engine's pipelined poll and
# fetch + remove + LOGOUT in one flight; Gmail moves to Trash on EXPUNGE.
w(t, "gmail_xoauth2_pipelined", B([8, 4, 1, 0x80]) + imap([
    "* OK Gimap ready for requests from 192.0.2.1 a1mb",
    "* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 XYZZY "
    "SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN AUTH=OAUTHBEARER",
    "T OK Thats all she wrote! a1mb",
    "* CAPABILITY " + GMAIL_CAPS,
    "T OK fuzz@example.test authenticated (Success)",
    "* ENABLED UTF8=ACCEPT",
    "T OK Success",
    "* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen $NotPhishing $Phishing)",
    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen $NotPhishing $Phishing \\*)] Flags permitted.",
    "* OK [UIDVALIDITY 1] UIDs valid.",
    "* 3 EXISTS",
    "* 0 RECENT",
    "* OK [UIDNEXT 43] Predicted next UID.",
    "* OK [HIGHESTMODSEQ 1234]",
    "T OK [READ-WRITE] INBOX selected. (Success)",
    "* 3 EXISTS",
    "T OK Success",
    "* SEARCH 42",
    "T OK SEARCH completed (Success)",
] + fetch + [
    "T OK Success",
    "T OK Success",
    "* 3 EXPUNGE",
    "T OK Success",
    "* BYE LOGOUT Requested",
    "T OK 73 good day (Success)",
]))
# UTF8=ACCEPT (RFC 6855) offered before login: ENABLE between AUTHENTICATE and SELECT, then LIST
# answers with UTF-8 names ("&" is a character, not modified UTF-7's shift).
w(t, "utf8_accept_list", B([0, 1, 1, 1]) + imap([
    "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN UTF8=ACCEPT] ready",
    "T OK [CAPABILITY IMAP4rev1 UIDPLUS SPECIAL-USE LIST-EXTENDED UTF8=ACCEPT] Logged in",
    "* ENABLED UTF8=ACCEPT",
    "T OK Enabled",
    "* 1 EXISTS",
    "T OK [READ-WRITE] selected",
    "* SEARCH 42",
    "T OK done",
] + fetch + [
    "T OK done",
    "* LIST (\\HasNoChildren) \"/\" INBOX",
    "* LIST (\\HasNoChildren \\Trash) \"/\" \"Gel\u00f6schte Elemente\"",
    "* LIST (\\HasNoChildren) \"/\" \"Tom & Jerry\"",
    "T OK done",
    "* BYE bye",
    "T OK bye",
]))
# Exchange Online: LOGIN refused over plaintext STARTTLS session first, then the TLS session with
# AUTHENTICATE PLAIN; NAMESPACE and LIST without SPECIAL-USE, IDLE with EXISTS, MOVE.
w(t, "exchange_starttls_namespace_idle_move", B([1, 1, 1, 1 | 16 | 64]) + imap([
    "* OK The Microsoft Exchange IMAP4 service is ready. [TQBXADIAUABSADAANABDAEEAMAAwADAAMQAuAG4AYQBtAHAAcgBkADAANAAuAHAAcgBvAGQALgBvAHUAdABsAG8AbwBrAC4AYwBvAG0A]",
    "* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+ STARTTLS LOGINDISABLED",
    "T OK CAPABILITY completed.",
    "T OK Begin TLS negotiation now.",
    "* CAPABILITY " + EXCHANGE_CAPS,
    "T OK CAPABILITY completed.",
    "T OK AUTHENTICATE completed.",
    "* 2 EXISTS",
    "* 0 RECENT",
    "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)",
    "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)] Permanent flags",
    "* OK [UIDVALIDITY 14] UIDVALIDITY value",
    "* OK [UIDNEXT 43] The next unique identifier value",
    "T OK [READ-WRITE] SELECT completed.",
    "* CAPABILITY " + EXCHANGE_CAPS,
    "T OK CAPABILITY completed.",
    "* SEARCH 42",
    "T OK SEARCH completed.",
] + fetch + [
    "T OK FETCH completed.",
    "* NAMESPACE ((\"\" \"/\")) NIL NIL",
    "T OK NAMESPACE completed.",
    "* LIST (\\Marked \\HasNoChildren) \"/\" INBOX",
    "* LIST (\\HasNoChildren \\Trash) \"/\" \"Deleted Items\"",
    "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"",
    "* LIST (\\HasNoChildren \\Junk) \"/\" \"Junk Email\"",
    "* LIST (\\HasChildren) \"/\" \"Gel&APY-schte Elemente\"",
    "T OK LIST completed.",
    "+ IDLE accepted, awaiting DONE command.",
    "* 3 EXISTS",
    "T OK IDLE completed.",
    "* OK [COPYUID 14 42 7] MOVE completed.",
    "* 1 EXPUNGE",
    "T OK MOVE completed.",
    "* BYE Microsoft Exchange Server IMAP4 server signing off.",
    "T OK LOGOUT completed.",
]))
# Dovecot without UIDPLUS: delete flags only; STORE answered with the flags; ALERT after login.
w(t, "dovecot_no_uidplus_flagged_only", B([0, 2, 1, 4 | 8 | 32]) + imap([
    "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN] Dovecot ready.",
    "+ VXNlcm5hbWU6",
    "+ UGFzc3dvcmQ6",
    "T OK [CAPABILITY IMAP4rev1 SASL-IR ID ENABLE IDLE SORT NAMESPACE CHILDREN LIST-EXTENDED SPECIAL-USE] Logged in",
    "* OK [ALERT] Your mailbox is almost full.",
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
    "* 1 EXISTS",
    "* OK [UIDVALIDITY 7] v",
    "T OK [READ-WRITE] Select completed",
    "* SEARCH 42",
    "T OK Search completed",
] + fetch + [
    "T OK Fetch completed",
    "* 1 FETCH (UID 42 FLAGS (\\Seen \\Flagged))",
    "T OK Fetch completed",
    "* 1 FETCH (UID 42 FLAGS (\\Seen \\Flagged))",
    "T OK Store completed",
    "T OK Store completed",
    "* BYE Logging out",
    "T OK Logout completed",
]))
# PREAUTH over implicit TLS (a server behind a proxy); EXAMINE; a [NONEXISTENT] fetch refusal.
w(t, "preauth_examine_refused_fetch", B([16, 0, 1, 2]) + imap([
    "* PREAUTH [CAPABILITY IMAP4rev1 IDLE] IMAP4rev1 server logged in as fuzz",
    "* 0 EXISTS",
    "T OK [READ-ONLY] EXAMINE completed",
    "* SEARCH",
    "T OK SEARCH completed",
    "T NO [NONEXISTENT] No such message",
    "* 1 EXISTS",
    "T OK NOOP completed",
    "* BYE",
    "T OK LOGOUT completed",
]))
# Refusals with RFC 5530 codes: LOGIN refused (AUTHENTICATIONFAILED), then one with UNAVAILABLE.
w(t, "auth_failed_code", B([0, 0, 1, 0]) + imap([
    "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready",
    "T NO [AUTHENTICATIONFAILED] Authentication failed.",
]))
w(t, "unavailable_select", B([0, 0, 1, 0]) + imap([
    "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready",
    "T OK Logged in",
    "T NO [UNAVAILABLE] Mailbox is temporarily unavailable",
]))
# IMAP4rev2 server with ESEARCH answers and LIST-EXTENDED SPECIAL-USE.
w(t, "rev2_esearch_special_use", B([0, 0, 1, 1]) + imap([
    "* OK [CAPABILITY IMAP4rev2 IMAP4rev1 AUTH=PLAIN SASL-IR SPECIAL-USE LIST-EXTENDED ESEARCH MOVE UIDPLUS] ready",
    "T OK [CAPABILITY IMAP4rev2 IMAP4rev1 SPECIAL-USE LIST-EXTENDED ESEARCH MOVE UIDPLUS IDLE] Logged in",
    "* 1 EXISTS",
    "* LIST () \"/\" INBOX",
    "T OK [READ-WRITE] SELECT completed",
    "* ESEARCH (TAG \"MJZ50Z92T9D\") UID ALL 42",
    "T OK SEARCH completed",
] + fetch + [
    "T OK FETCH completed",
    "* LIST (\\HasNoChildren \\Sent) \"/\" Sent",
    "* LIST (\\HasNoChildren \\Trash) \"/\" Trash",
    "* LIST (\\HasNoChildren \\Junk) \"/\" Junk",
    "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts",
    "T OK LIST completed",
    "* BYE",
    "T OK LOGOUT completed",
]))

# --- fuzz_pop3_session: [o0][o1][seed][o3]
t = "fuzz_pop3_session"
top = "+OK\r\nMessage-ID: <a1@mail.example.test>\r\nX-Mailverify-Token: tok123\r\n\r\n."
# Gmail POP3: implicit TLS, CAPA with SASL XOAUTH2, UIDL, TOP, RETR, DELE, QUIT.
w(t, "gmail_xoauth2_uidl_dele", B([8, 0, 1, 1 | 2]) + crlf([
    "+OK Gpop ready for requests from 192.0.2.1 a1pop",
    "+OK Capability list follows", "USER", "RESP-CODES", "EXPIRE 0", "LOGIN-DELAY 300", "TOP",
    "UIDL", "X-GOOGLE-RICO", "SASL PLAIN XOAUTH2 OAUTHBEARER", ".",
    "+OK Welcome.",
    "+OK 2 1024",
    top,
    "+OK message follows", MESSAGE.rstrip("\r\n"), ".",
    "+OK", "1 GmailId1", "2 GmailId2", ".",
    "+OK marked for deletion",
    "+OK Farewell.",
]))
# Courier-like: STLS, then USER/PASS with an [AUTH] refusal.
w(t, "stls_user_pass_auth_code", B([1, 0, 1, 0]) + crlf([
    "+OK Hello there.",
    "+OK Here's what I can do:", "STLS", "TOP", "USER", "LOGIN-DELAY 10", "PIPELINING", "UIDL",
    "IMPLEMENTATION Courier Mail Server", ".",
    "+OK Begin SSL/TLS negotiation now.",
    "+OK Here's what I can do:", "TOP", "USER", "UIDL", ".",
    "+OK Password required.",
    "-ERR [AUTH] Login failed.",
]))
# A server without UIDL: the listing falls back to LIST; RSET; [SYS/TEMP] at QUIT.
w(t, "no_uidl_list_rset_sys_temp", B([2 | 4, 0, 1, 1 | 4]) + crlf([
    "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
    "-ERR unknown command",
    "+OK",
    "+OK logged in",
    "+OK 1 320",
    top,
    "+OK", MESSAGE.rstrip("\r\n"), ".",
    "-ERR [SYS/PERM] UIDL not supported",
    "+OK 1 messages", "1 320", ".",
    "+OK maildrop has 1 message",
    "-ERR [SYS/TEMP] try again",
]))
# Everything queued up front; SASL LOGIN with challenges; an empty maildrop.
w(t, "sasl_login_up_front", B([0, 2, 1, 0x80 | 1]) + crlf([
    "+OK Dovecot ready.",
    "+OK", "CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "USER",
    "SASL PLAIN LOGIN", ".",
    "+ " + b64("Username:"), "+ " + b64("Password:"),
    "+OK Logged in.",
    "+OK 0 0",
    "+OK 0 messages", ".",
    "+OK Logging out.",
]))
# A task queued after quit() (option bit 5, up front) is refused at once.
w(t, "task_after_quit", B([0, 0, 1, 0x80 | 32]))
# A DELE outside the maildrop (option bit 4) after a find_token miss.
w(t, "dele_outside_maildrop", B([0, 0, 1, 16]) + crlf([
    "+OK ready", "+OK", "USER", "TOP", "UIDL", ".", "+OK", "+OK", "+OK 1 100",
    top.replace("tok123", "other"),
    "+OK", MESSAGE.rstrip("\r\n"), ".",
]))

# --- fuzz_smtp_session: [o0][o1][seed]; o0 bit 3 credentials, bit 5 message.
t = "fuzz_smtp_session"
# Exchange Online: STARTTLS, AUTH LOGIN challenges, SIZE, PIPELINING, queued-as in the 250.
w(t, "exchange_login_pipelining", B([1 | 8 | 32, 2, 1]) + crlf([
    "220 BN0PR04CA0001.outlook.office365.com Microsoft ESMTP MAIL Service ready at Mon, 7 Dec 2026 08:30:00 +0000",
    "250-BN0PR04CA0001.outlook.office365.com Hello [192.0.2.1]", "250-SIZE 157286400",
    "250-PIPELINING", "250-DSN", "250-ENHANCEDSTATUSCODES", "250-STARTTLS", "250-8BITMIME",
    "250-BINARYMIME", "250-CHUNKING", "250 SMTPUTF8",
    "220 2.0.0 SMTP server ready",
    "250-BN0PR04CA0001.outlook.office365.com Hello [192.0.2.1]", "250-SIZE 157286400",
    "250-PIPELINING", "250-DSN", "250-ENHANCEDSTATUSCODES", "250-AUTH LOGIN XOAUTH2",
    "250-8BITMIME", "250-BINARYMIME", "250-CHUNKING", "250 SMTPUTF8",
    "334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6",
    "235 2.7.0 Authentication successful",
    "250 2.1.0 Sender OK", "250 2.1.5 Recipient OK",
    "354 Start mail input; end with <CRLF>.<CRLF>",
    "250 2.0.0 OK <a1@mail.example.test> [Hostname=BN0PR04MB0001.namprd04.prod.outlook.com]",
    "221 2.0.0 Service closing transmission channel",
]))
# Gmail: implicit TLS, XOAUTH2 refused with the JSON error challenge, 535 5.7.8.
w(t, "gmail_xoauth2_refused", B([8 | 16 | 32, 4, 1]) + crlf([
    "220 smtp.gmail.com ESMTP a1sm123456wrb.1 - gsmtp",
    "250-smtp.gmail.com at your service, [192.0.2.1]", "250-SIZE 35882577", "250-8BITMIME",
    "250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH", "250-ENHANCEDSTATUSCODES",
    "250-PIPELINING", "250-CHUNKING", "250 SMTPUTF8",
    "334 " + b64('{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}'),
    "535-5.7.8 Username and Password not accepted. For more information, go to",
    "535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1sm123456wrb.1 - gsmtp",
]))
# Postfix with a SIZE limit smaller than the message; another without SMTPUTF8 for a UTF-8 sender.
w(t, "postfix_size_too_small", B([0 | 8 | 32, 0, 1]) + crlf([
    "220 mail.example.test ESMTP Postfix (Debian/GNU)",
    "250-mail.example.test", "250-PIPELINING", "250-SIZE 10", "250-ETRN",
    "250-AUTH PLAIN LOGIN", "250-AUTH=PLAIN LOGIN", "250-ENHANCEDSTATUSCODES", "250-8BITMIME",
    "250-DSN", "250 CHUNKING",
    "235 2.7.0 Authentication successful",
]))
w(t, "no_smtputf8_for_utf8_sender", B([0 | 8 | 32, 18, 1]) + crlf([
    "220 mail.example.test ESMTP Postfix",
    "250-mail.example.test", "250-PIPELINING", "250-AUTH PLAIN", "250 8BITMIME",
    "235 2.7.0 Authentication successful",
]))
w(t, "smtputf8_sender_accepted", B([0 | 32, 18, 1]) + crlf([
    "220 mail.example.test ESMTP Postfix",
    "250-mail.example.test", "250-PIPELINING", "250-SMTPUTF8", "250 8BITMIME",
    "250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>",
    "250 2.0.0 Ok: queued as 4Xy1Z2abcD",
    "221 2.0.0 Bye",
]))
# Refusals: EHLO and HELO refused (plaintext allowed), a greylisting 450 on RCPT, a 554 on MAIL.
w(t, "ehlo_helo_refused", B([2 | 4, 0, 1]) + crlf([
    "220 old.example.test SMTP", "502 5.5.2 Error: command not recognized",
    "502 5.5.2 Error: command not recognized"]))
w(t, "rcpt_greylisted", B([0 | 32, 0, 1]) + crlf([
    "220 mx.example.test ESMTP", "250-mx.example.test", "250 PIPELINING", "250 2.1.0 Ok",
    "450 4.2.0 <fuzz@example.test>: Recipient address rejected: Greylisted, see https://postgrey.schweikert.ch/"]))
w(t, "mail_rejected_554", B([0 | 32, 0, 1]) + crlf([
    "220 mx.example.test ESMTP", "250-mx.example.test", "250 SIZE 0",
    "554 5.7.1 <fuzz@example.test>: Sender address rejected: Access denied"]))
w(t, "starttls_refused", B([1, 0, 1]) + crlf([
    "220 mx.example.test ESMTP", "250-mx.example.test", "250 STARTTLS",
    "454 4.7.0 TLS not available due to local problem"]))
w(t, "empty_ehlo_name", B([0, 32, 1]) + crlf(["220 mx.example.test ESMTP"]))

# --- fuzz_idna: byte 0 even: a domain; odd: code points, 3 bytes each.
t = "fuzz_idna"
for name, s in [("umlaut", "bücher.example"), ("alabel", "xn--bcher-kva.example"),
                ("cyrillic", "Пример.РФ"), ("greek", "ΕΛΛΆΔΑ.gr"), ("empty_label", "a..b"),
                ("hyphen_end", "-ab.example"), ("regression_xn_control", "xn--abc.example"),
                ("xn_upper_ulabel", "xn--bcher-2pa.example"), ("trailing_dot", "MÜNCHEN.de."),
                ("upper_xn", "XN--BCHER-KVA.Example"), ("long_label", "ä" * 40 + ".example"),
                ("nbsp", "a\u00a0b.example"), ("dash34", "ab--cd.example"),
                ("not_canonical", "xn--bcher-KVA.example")]:
    w(t, name, B([0]) + s.encode())
w(t, "bad_utf8", B([0]) + b"\xc3(.example")
for name, s in [("punycode_points", "bücher"), ("punycode_cjk", "日本語ドメイン"),
                ("punycode_astral", "a😀b")]:
    w(t, name, B([1]) + b"".join(ord(c).to_bytes(3, "big") for c in s))

# --- fuzz_mutf7: the name as the server sends it.
t = "fuzz_mutf7"
for name, s in [("german", "Gel&APY-schte Elemente"),
                ("russian", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"), ("amp", "Tom &- Jerry"),
                ("astral", "&2D3eAA-"), ("plain", "INBOX.Sent"), ("cjk", "&ZeVnLIqe-"),
                ("encoded_ascii", "&AGE-"), ("unterminated", "&APY"), ("utf8_raw", "Gelöschte"),
                ("lone_surrogate", "&2D0-"), ("bad_padding", "&APZ-")]:
    w(t, name, s)

# --- fuzz_http_request: [mode][seed][url][name][value][body] then the response.
t = "fuzz_http_request"


def req(mode, seed, url, name, value, body, resp):
    f = lambda s: B([len(s.encode())]) + s.encode()
    return B([mode, seed]) + f(url) + f(name) + f(value) + f(body) + resp.encode()


w(t, "token_post", req(1, 1, "https://login.microsoftonline.com/common/oauth2/v2.0/token",
                       "Content-Type", "application/x-www-form-urlencoded",
                       "grant_type=refresh_token&refresh_token=x&client_id=y",
                       "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 42\r\n\r\n"
                       "{\"access_token\":\"a\",\"token_type\":\"Bearer\"}"))
w(t, "get_chunked", req(0x40, 2, "http://[::1]:8080/.well-known/openid-configuration?x=1",
                        "Accept", "application/json", "",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
w(t, "injection", req(1, 0, "https://oauth2.googleapis.com/token", "X-A", "b\r\nHost: evil", "", ""))
w(t, "bad_url_userinfo", req(0, 5, "https://user@host/", "Accept", "*/*", "",
                             "HTTP/1.0 400 Bad\r\n\r\nno"))
w(t, "close_framed_small", req(0xC2, 3, "https://h:443?q", "Accept", "*/*", "x",
                               "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nbody until close, longer than sixteen"))
w(t, "truncated", req(0x80, 6, "https://h:0/", "A", "b", "",
                      "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nshort"))

# --- fuzz_test_message: [body size / 64][chunk seed] then from, to, token, date, in_reply_to.
t = "fuzz_test_message"


def msg(size, seed, *fields):
    return B([size, seed]) + b"".join(B([len(x.encode())]) + x.encode() for x in fields)


DATE = "Mon, 07 Dec 2026 08:30:00 +0000"
w(t, "plain", msg(8, 3, "alice@example.test", "alice@example.test", "Ab3dEf9", DATE, ""))
w(t, "reply", msg(40, 0, "bob@example.test", "carol@example.test", "tok123", DATE,
                  "<orig.1@example.test>"))
w(t, "bad_token", msg(1, 1, "a@b", "a@b", "tok-123", "d", ""))
w(t, "bad_address", msg(1, 1, "ab", "a@b", "t", "d", ""))
w(t, "control", msg(1, 1, "a@b", "a@b", "t", "d\r\nBcc: x", ""))
w(t, "no_date", msg(1, 1, "a@b", "a@b", "t", "", ""))
w(t, "utf8_domain", msg(200, 7, "jörg@bücher.example", "jörg@bücher.example", "X" * 40, DATE, ""))

# --- fuzz_server_signal: [kind][protocol, reply code, bit 7 alert] then the server's text.
t = "fuzz_server_signal"
for name, (k, p, s) in {
        "smtp_578": (30, 1, "5.7.8 Username and Password not accepted."),
        "smtp_greylist": (40, 50, "4.2.0 Recipient address rejected: Greylisted"),
        "ms_5_7_139": (33, 1, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication "
                              "is disabled for the Tenant."),
        "imap_authfailed": (33, 2, "[AUTHENTICATIONFAILED] Authentication failed."),
        "imap_unavailable": (45, 2, "[UNAVAILABLE] Internal error occurred."),
        "pop3_sys_temp": (50, 3, "[SYS/TEMP] try again later"),
        "pop3_in_use": (52, 0x83, "[IN-USE] mailbox locked"),
        "alert_controls": (12, 0x82, "[ALERT] read\x1b[31m this\r\n"),
        "bad_status": (1, 1, "5.07.8x no"),
        "leading_zeros": (2, 1, "2.01.003 ok"),
        "unknown_subject": (3, 1, "5.9.1 what"),
        "regression_escape_code": (5, 3, "[\x1b[2J] x"),
        "regression_8bit_code": (5, 2, "[S\xff\xff[S] x")}.items():
    w(t, name, B([k, p]) + s.encode())

# --- fuzz_json: [mode: bit 0 small limits, bit 1 status 200] then the body.
t = "fuzz_json"
w(t, "ms_token_200", B([2]) + b'{"token_type":"Bearer","scope":"https://outlook.office.com/IMAP.AccessAsUser.All '
  b'https://outlook.office.com/SMTP.Send","expires_in":4489,"ext_expires_in":4489,'
  b'"access_token":"eyJ0eXAiOiJKV1QifQ.e30.sig","refresh_token":"0.AXkA","id_token":"eyJ.e30."}')
w(t, "google_token_200", B([2]) + b'{"access_token":"ya29.a0AfH6","expires_in":3599,'
  b'"scope":"https://mail.google.com/","token_type":"Bearer"}')
w(t, "mac_token_200", B([2]) + b'{"access_token":"x","token_type":"mac"}')
w(t, "google_device_200", B([2]) + b'{"device_code":"AH-1Ng","user_code":"GQVQ-JKEC",'
  b'"verification_url":"https://www.google.com/device","expires_in":1800,"interval":500}')
w(t, "ms_device_200", B([2]) + b'{"user_code":"FJ5QZ3XKA","device_code":"DAQABAAEAAA",'
  b'"verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":0,'
  b'"message":"To sign in, use a web browser"}')
w(t, "ms_refusal_codes", B([0]) + b'{"error":"invalid_grant","error_description":"AADSTS50076: '
  b'Due to a configuration change made by your administrator, you must use multi-factor '
  b'authentication.","error_codes":[50076,50079],"timestamp":"2026-12-07 08:30:00Z"}')

# --- fuzz_oauth2_form: [name length % 32][name][value length % 64][value] then a JWT.
t = "fuzz_oauth2_form"


def jwt(claims):
    enc = lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")
    return enc('{"typ":"JWT","alg":"RS256"}') + "." + enc(claims) + ".c2ln"


w(t, "jwt_ms_scp_aud_array", B([5]) + b"scope" + B([0]) + jwt(
    '{"aud":["https://outlook.office.com","00000002-0000-0ff1-ce00-000000000000"],'
    '"scp":"IMAP.AccessAsUser.All SMTP.Send","upn":"fuzz@example.test","exp":1796000000}').encode())
w(t, "jwt_google_scope", B([0, 0]) + jwt(
    '{"aud":"https://mail.google.com/","scope":"https://mail.google.com/ openid",'
    '"email":"fuzz@example.test","exp":1796000000}').encode())
