// SPDX-License-Identifier: Apache-2.0
// The checks after arrival against scripted servers, for server behaviour the local Postfix +
// Dovecot do not show: Gmail's labels (a message expunged from INBOX is only archived in All
// Mail, so the run must move it to the Trash folder), a STORE answered without the flags, a Sent
// folder that cannot be opened. Gmail's side follows its published IMAP behaviour: X-GM-EXT-1,
// MOVE, SPECIAL-USE with "[Gmail]/Trash". Scripts with two connections serve the run's second
// IMAP session next to the first.
#include <doctest/doctest.h>

#include <mutex>
#include <string>

#include "tests/support/hostile.hpp"

namespace {

using namespace mv::test::hostile;

// The message as the SMTP script received it, for the IMAP script to serve back.
struct Submitted {
  std::mutex mutex;
  std::string data;
};

HostileScript submission(Submitted& submitted) {
  return [&submitted](Peer& p) {
    smtp_accept_message(p, [&submitted](std::string data) {
      std::lock_guard<std::mutex> lock(submitted.mutex);
      submitted.data = std::move(data);
    });
  };
}

// Serves the submitted message as UID 7 (sequence 3) to the UID FETCH that verifies it.
void serve_fetch(Peer& p, Submitted& submitted) {
  const std::string tag = p.expect_imap("UID FETCH 7 ");
  std::string message;
  {
    std::lock_guard<std::mutex> lock(submitted.mutex);
    message = submitted.data;
  }
  if (message.empty()) p.abort("no message was submitted before the FETCH");
  const std::string size = std::to_string(message.size());
  p.send("* 3 FETCH (UID 7 FLAGS () INTERNALDATE \"22-Nov-2026 08:00:00 +0000\" RFC822.SIZE " +
         size + " BODY[] {" + size + "}\r\n" + message + ")\r\n" + tag + " OK Success\r\n");
}

// Gimap from the greeting through the FETCH of UID 7.
void gmail_to_fetched(Peer& p, Submitted& submitted) {
  p.send(
      "* OK [CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 "
      "UIDPLUS COMPRESS=DEFLATE ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED "
      "LIST-STATUS LITERAL- SPECIAL-USE APPENDLIMIT=35651584 AUTH=PLAIN SASL-IR] Gimap ready\r\n");
  std::string tag = p.expect_imap("AUTHENTICATE PLAIN");
  p.send(
      "* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 UIDPLUS "
      "COMPRESS=DEFLATE ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED LIST-STATUS "
      "LITERAL- SPECIAL-USE APPENDLIMIT=35651584\r\n" +
      tag + " OK alice@example.test authenticated (Success)\r\n");
  tag = p.expect_imap("ENABLE UTF8=ACCEPT");  // UTF8=ACCEPT offered: ENABLE before the SELECT
  p.send("* ENABLED UTF8=ACCEPT\r\n" + tag + " OK Success\r\n");
  tag = p.expect_imap("SELECT INBOX");
  p.send("* 3 EXISTS\r\n* OK [UIDVALIDITY 1] UIDs valid.\r\n" + tag +
         " OK [READ-WRITE] INBOX selected. (Success)\r\n");
  tag = p.expect_imap("UID SEARCH");
  p.send("* SEARCH 7\r\n" + tag + " OK SEARCH completed (Success)\r\n");
  serve_fetch(p, submitted);
}

// An IMAP server without Gmail's extensions: greeting, login, SELECT of `mailbox`.
void plain_login(Peer& p, const std::string& mailbox) {
  p.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR UIDPLUS SPECIAL-USE] ready\r\n");
  std::string tag = p.expect_imap("AUTHENTICATE PLAIN");
  p.send(tag + " OK [CAPABILITY IMAP4rev1 UIDPLUS SPECIAL-USE] logged in\r\n");
  tag = p.expect_imap("SELECT " + mailbox);
  p.send("* 3 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n" + tag + " OK [READ-WRITE] selected\r\n");
}

// Session A after login: the token found as UID 7 and fetched.
void found_and_fetched(Peer& p, Submitted& submitted) {
  const std::string tag = p.expect_imap("UID SEARCH");
  p.send("* SEARCH 7\r\n" + tag + " OK done\r\n");
  serve_fetch(p, submitted);
}

// STORE \Deleted with UID EXPUNGE behind it, then LOGOUT.
void expunge_and_logout(Peer& p) {
  const std::string store = p.expect_imap("UID STORE 7 +FLAGS.SILENT (\\Deleted)");
  const std::string expunge = p.expect_imap("UID EXPUNGE 7");
  p.send(store + " OK stored\r\n* 3 EXPUNGE\r\n" + expunge + " OK expunged\r\n");
  imap_logout(p);
}

// Runs c against the two scripted servers; every script must have run through and the run pass.
Timed run_passing(MemoryNet& net, const mv::RunConfig& c, HostileServer& smtp,
                  HostileServer& imap) {
  Timed t = run_scripted(net, c, {&smtp, &imap});
  INFO(describe(t));
  CHECK(t.result.report.ok());
  return t;
}

}  // namespace

TEST_CASE(
    "scripted/gmail: cleanup moves the message to [Gmail]/Trash; expunging would archive it") {
  Pki k;
  MemoryNet net;
  Submitted submitted;
  HostileServer smtp(net, submission(submitted), k.pki.cert_file, k.pki.key_file);
  HostileServer imap(
      net,
      [&](Peer& p) {
        gmail_to_fetched(p, submitted);
        // --check none: no folders check ran, so the Trash folder is asked for now.
        std::string tag = p.expect_imap("LIST ");
        p.send(
            "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n"
            "* LIST (\\All \\HasNoChildren) \"/\" \"[Gmail]/All Mail\"\r\n"
            "* LIST (\\HasNoChildren \\Sent) \"/\" \"[Gmail]/Sent Mail\"\r\n"
            "* LIST (\\HasNoChildren \\Trash) \"/\" \"[Gmail]/Trash\"\r\n" +
            tag + " OK Success\r\n");
        tag = p.expect_imap("UID MOVE 7 \"[Gmail]/Trash\"");
        p.send("* OK [COPYUID 5 7 12] (Success)\r\n* 3 EXPUNGE\r\n" + tag + " OK Success\r\n");
        imap_logout(p);
      },
      k.pki.cert_file, k.pki.key_file);
  mv::RunConfig c = roundtrip_config(k.pki.ca_file, smtp.port(), imap.port());
  c.check_folders = false;
  const Timed t = run_passing(net, c, smtp, imap);
  CHECK_FALSE(imap.wire().saw("EXPUNGE"));  // the client never expunged: the server did, on MOVE
  CHECK_FALSE(imap.wire().saw("STORE"));
  const mv::StepRecord* cleanup = find_step(t, "imap.cleanup");
  REQUIRE(cleanup != nullptr);
  CHECK(cleanup->detail ==
        "moved UID 7 to \"[Gmail]/Trash\" (Gmail: expunging would only archive it)");
  CHECK(t.result.report.warnings.empty());
}

TEST_CASE(
    "scripted/devices: a STORE answered without the flags: the second session asks for them") {
  Pki k;
  MemoryNet net;
  Submitted submitted;
  HostileServer smtp(net, submission(submitted), k.pki.cert_file, k.pki.key_file);
  HostileServer imap(
      net,
      {[&](Peer& p) {  // session A
         plain_login(p, "INBOX");
         found_and_fetched(p, submitted);
         const std::string tag = p.expect_imap("UID FETCH 7 (FLAGS)");  // after B's STORE
         p.send("* 3 FETCH (UID 7 FLAGS (\\Seen))\r\n" + tag + " OK done\r\n");
         expunge_and_logout(p);
       },
       [&](Peer& p) {  // the second device
         plain_login(p, "INBOX");
         std::string tag = p.expect_imap("NOOP");
         p.send(tag + " OK done\r\n");
         tag = p.expect_imap("UID STORE 7 +FLAGS (\\Seen)");
         p.send(tag + " OK stored, no FETCH\r\n");  // RFC 9051: SHOULD send it; this one does not
         tag = p.expect_imap("UID FETCH 7 (FLAGS)");
         p.send("* 3 FETCH (UID 7 FLAGS (\\Seen))\r\n" + tag + " OK done\r\n");
         imap_logout(p);
       }},
      k.pki.cert_file, k.pki.key_file);
  mv::RunConfig c = roundtrip_config(k.pki.ca_file, smtp.port(), imap.port());
  c.check_devices = true;
  c.check_folders = false;
  const Timed t = run_passing(net, c, smtp, imap);
  const mv::StepRecord* devices = find_step(t, "imap.devices");
  REQUIRE(devices != nullptr);
  CHECK(devices->detail == "marked read in a second session, seen as read in the first");
}

TEST_CASE("scripted/sent: a Sent folder that cannot be opened is a warning; the run still passes") {
  Pki k;
  MemoryNet net;
  Submitted submitted;
  HostileServer smtp(net, submission(submitted), k.pki.cert_file, k.pki.key_file);
  HostileServer imap(
      net,
      {[&](Peer& p) {  // session A
         plain_login(p, "INBOX");
         found_and_fetched(p, submitted);
         const std::string tag = p.expect_imap("LIST ");
         p.send("* LIST () \"/\" INBOX\r\n* LIST (\\Sent) \"/\" Sent\r\n" + tag + " OK done\r\n");
         expunge_and_logout(p);
       },
       [&](Peer& p) {  // the look into Sent
         p.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready\r\n");
         std::string tag = p.expect_imap("AUTHENTICATE PLAIN");
         p.send(tag + " OK [CAPABILITY IMAP4rev1] logged in\r\n");
         tag = p.expect_imap("SELECT Sent");
         p.send(tag + " NO [NONEXISTENT] Mailbox doesn't exist: Sent\r\n");
       }},
      k.pki.cert_file, k.pki.key_file);
  const Timed t =
      run_passing(net, roundtrip_config(k.pki.ca_file, smtp.port(), imap.port()), smtp, imap);
  const mv::StepRecord* sent = find_step(t, "imap.sent_copy");
  REQUIRE(sent != nullptr);
  CHECK_FALSE(sent->ok);
  CHECK(sent->detail.rfind("could not look in \"Sent\"", 0) == 0);
  // Beside the folders this server lacks (Drafts, Trash, Junk), one warning says it.
  int said = 0;
  for (const std::string& w : t.result.report.warnings)
    said += w.find("could not check whether the server files sent mail in \"Sent\"") !=
            std::string::npos;
  CHECK(said == 1);
}

TEST_CASE(
    "scripted/folders: a German Exchange mailbox without SPECIAL-USE, names in modified "
    "UTF-7") {
  Pki k;
  MemoryNet net;
  Submitted submitted;
  HostileServer smtp(net, submission(submitted), k.pki.cert_file, k.pki.key_file);
  HostileServer imap(
      net,
      {[&](Peer& p) {  // session A: Exchange lists its localised folders without attributes
         p.send("* OK The Microsoft Exchange IMAP4 service is ready.\r\n");
         std::string tag = p.expect_imap("CAPABILITY");
         p.send(
             "* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN SASL-IR UIDPLUS MOVE ID UNSELECT "
             "CHILDREN IDLE NAMESPACE LITERAL+\r\n" +
             tag + " OK CAPABILITY completed.\r\n");
         // SASL-IR: the SELECT rides behind the login; CAPABILITY, asked again after the login
         // (Exchange's reply has none), behind the SELECT.
         tag = p.expect_imap("AUTHENTICATE PLAIN");
         const std::string select = p.expect_imap("SELECT INBOX");
         p.send(tag + " OK AUTHENTICATE completed.\r\n");
         tag = p.expect_imap("CAPABILITY");
         p.send("* 3 EXISTS\r\n* OK [UIDVALIDITY 14] UIDVALIDITY value\r\n" + select +
                " OK [READ-WRITE] SELECT completed.\r\n"
                "* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE "
                "LITERAL+\r\n" +
                tag + " OK CAPABILITY completed.\r\n");
         found_and_fetched(p, submitted);
         tag = p.expect_imap("NAMESPACE");
         p.send("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n" + tag + " OK NAMESPACE completed.\r\n");
         tag = p.expect_imap("LIST ");
         p.send(
             "* LIST (\\HasNoChildren) \"/\" Archiv\r\n"
             "* LIST (\\HasNoChildren) \"/\" \"Entw&APw-rfe\"\r\n"
             "* LIST (\\HasNoChildren) \"/\" \"Gel&APY-schte Elemente\"\r\n"
             "* LIST (\\HasNoChildren) \"/\" \"Gesendete Elemente\"\r\n"
             "* LIST (\\Marked \\HasNoChildren) \"/\" INBOX\r\n"
             "* LIST (\\HasNoChildren) \"/\" Junk-E-Mail\r\n"
             "* LIST (\\HasNoChildren) \"/\" \"Postausgang\"\r\n" +
             tag + " OK LIST completed.\r\n");
         expunge_and_logout(p);
       },
       [&](Peer& p) {  // the look into Sent, by its German name
         p.send("* OK The Microsoft Exchange IMAP4 service is ready.\r\n");
         std::string tag = p.expect_imap("CAPABILITY");
         p.send("* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN SASL-IR UIDPLUS\r\n" + tag +
                " OK CAPABILITY completed.\r\n");
         tag = p.expect_imap("AUTHENTICATE PLAIN");
         const std::string select = p.expect_imap("SELECT \"Gesendete Elemente\"");
         p.send(tag + " OK AUTHENTICATE completed.\r\n");
         tag = p.expect_imap("CAPABILITY");
         p.send("* 0 EXISTS\r\n" + select + " OK [READ-WRITE] SELECT completed.\r\n" +
                "* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS\r\n" + tag + " OK CAPABILITY completed.\r\n");
         // The look: a NOOP (the folder was selected during delivery) and the search in one flight.
         tag = p.expect_imap("NOOP");
         const std::string search = p.expect_imap("UID SEARCH");
         p.send(tag + " OK NOOP completed.\r\n* SEARCH\r\n" + search + " OK SEARCH completed.\r\n");
         imap_logout(p);
       }},
      k.pki.cert_file, k.pki.key_file);
  mv::RunConfig c = roundtrip_config(k.pki.ca_file, smtp.port(), imap.port());
  c.check_devices = false;
  const Timed t = run_passing(net, c, smtp, imap);
  const mv::StepRecord* folders = find_step(t, "imap.folders");
  REQUIRE(folders != nullptr);
  CHECK(folders->detail ==
        "Sent = \"Gesendete Elemente\" (by name); Drafts = \"Entw\u00FCrfe\" (by name, on the "
        "wire \"Entw&APw-rfe\"); Trash = \"Gel\u00F6schte Elemente\" (by name, on the wire "
        "\"Gel&APY-schte Elemente\"); Junk = \"Junk-E-Mail\" (by name)");
  const mv::StepRecord* sent = find_step(t, "imap.sent_copy");
  REQUIRE(sent != nullptr);
  CHECK(sent->detail.find("no copy of the sent message in \"Gesendete Elemente\"") == 0);
  CHECK(t.result.report.warnings.empty());
}
