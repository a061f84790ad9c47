// Gmail's IMAP, scripted (no real Gmail here): its folders are labels, and a message expunged
// from INBOX only loses the Inbox label; with Gmail's default settings it is then archived in All
// Mail. The run must move its message to the Trash folder instead (which takes every label off),
// and never leave it archived. The server side follows Gmail's published IMAP behaviour:
// X-GM-EXT-1, MOVE, SPECIAL-USE with "[Gmail]/Trash".
#include <doctest/doctest.h>

#include <mutex>
#include <string>

#include "tests/support/hostile.hpp"

namespace {

using mv::TlsMode;
using namespace mv::test::hostile;

// The message as the SMTP script received it, for the IMAP script to serve back.
struct Submitted {
  std::mutex mutex;
  std::string data;
};

// Gimap from the greeting through the FETCH of UID 7, which serves the submitted message.
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
  tag = p.expect_imap("SELECT INBOX");
  p.send("* 3 EXISTS\r\n* OK [UIDVALIDITY 1] UIDs valid.\r\n" + tag +
         " OK [READ-WRITE] INBOX selected. (Success)\r\n");
  tag = p.expect_imap("UID SEARCH");
  p.send("* SEARCH 7\r\n" + tag + " OK SEARCH completed (Success)\r\n");
  tag = p.expect_imap("UID FETCH 7 ");
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

}  // namespace

TEST_CASE(
    "scripted/gmail: cleanup moves the message to [Gmail]/Trash; expunging would archive it") {
  Pki k;
  Submitted submitted;
  HostileServer smtp(
      [&](Peer& p) {
        std::string data;
        smtp_accept_message(p, &data);  // stored before the 250 that lets the run go on
        std::lock_guard<std::mutex> lock(submitted.mutex);
        submitted.data = data;
      },
      k.pki.cert_file, k.pki.key_file);
  HostileServer imap(
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
        tag = p.expect_imap("LOGOUT");
        p.send("* BYE LOGOUT Requested\r\n" + tag + " OK 73 good day (Success)\r\n");
      },
      k.pki.cert_file, k.pki.key_file);
  mv::RunConfig c = roundtrip_config(k.pki.ca_file, smtp.port(), imap.port());
  c.check_folders = false;
  const Timed t = run_timed(c);
  REQUIRE(smtp.finish());
  REQUIRE(imap.finish());
  INFO("smtp script: ", smtp.script_error(), " / imap script: ", imap.script_error(),
       " / error: ", t.error().code, " ", t.error().detail);
  CHECK(smtp.script_error().empty());
  CHECK(imap.script_error().empty());
  CHECK(t.result.report.ok());
  CHECK_FALSE(imap.wire().saw("EXPUNGE"));  // the client never expunged: the server did, on MOVE
  CHECK_FALSE(imap.wire().saw("STORE"));
  std::string cleanup;
  for (const mv::StepRecord& s : t.result.report.steps)
    if (s.name == "imap.cleanup") cleanup = s.detail;
  CHECK(cleanup == "moved UID 7 to \"[Gmail]/Trash\" (Gmail: expunging would only archive it)");
  CHECK(t.result.report.warnings.empty());
}
