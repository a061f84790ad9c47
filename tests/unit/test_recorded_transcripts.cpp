// SPDX-License-Identifier: Apache-2.0
// Transcripts recorded from the real Postfix + Dovecot (tests/data/transcripts, made with
// verify-roundtrip --trace; credentials redacted by the trace itself) replayed as scripted peers:
// the server side of each session goes into the real client with the options the tool used, and
// the client must send, line by line, exactly what it sent that day, reach the same end, and do
// so whatever the split of the server bytes (whole, byte by byte, each run cut at every point).
// Recorded IMAP tags were random; they are rewritten in order of appearance to the tags of a
// client with a fixed seed. Credentials are dummies: redacted lines compare in redacted form.
#include <doctest/doctest.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/trace.hpp"
#include "protocols/common/message.hpp"
#include "protocols/imap/client.hpp"
#include "protocols/pop3/client.hpp"
#include "protocols/smtp/client.hpp"
#include "tests/support/recorded_transcript.hpp"
#include "tests/support/test_pki.hpp"

namespace {

using mv::test::Chunker;
using mv::test::RecordedSession;
using mv::test::ReplayResult;

constexpr std::uint64_t kSeed = 0x7ecd0bed5eedULL;

mv::Credentials dummy_credentials() {
  mv::Credentials c;
  c.user = "replay@example.test";
  c.secret = "not-the-recorded-password";
  return c;
}

std::vector<RecordedSession> load(const std::string& file) {
  std::string text = mv::test::read_transcript_file(file);
  INFO("transcript: " << mv::test::transcripts_dir() << file);
  REQUIRE_FALSE(text.empty());
  return mv::test::parse_trace(text);
}

RecordedSession session_of(const std::vector<RecordedSession>& all, std::string_view name,
                           std::size_t index = 0) {
  RecordedSession s = mv::test::find_session(all, name, index);
  INFO("session " << name << " #" << index);
  REQUIRE_FALSE(s.lines.empty());
  return s;
}

std::size_t count_dir(const RecordedSession& s, char dir) {
  std::size_t n = 0;
  for (const auto& l : s.lines)
    n += l.dir == dir;
  return n;
}

std::optional<std::uint32_t> number(std::string_view text) {
  std::uint32_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  return n;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::vector<std::string> steps(const ReplayResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.events)
    out.push_back(e.substr(0, e.find(':')));
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines)
    out += l + "\n";
  return out;
}

// The whole-run replay must match the recording; byte by byte and every single cut of every server
// run must give the same result (client lines, events, end state, facts). Returns the whole run.
ReplayResult replay_every_split(const RecordedSession& s,
                                const std::function<ReplayResult(const Chunker&)>& run) {
  ReplayResult whole = run(mv::test::whole_runs());
  INFO("mismatches:\n" << joined(whole.mismatches));
  CHECK(whole.mismatches.empty());
  CHECK(whole.compared == count_dir(s, '>'));
  CHECK(whole.client_lines.size() == count_dir(s, '>'));
  CHECK(whole.error_code == "");
  CHECK(whole.done);

  ReplayResult bytes = run(mv::test::byte_by_byte());
  INFO("byte by byte mismatches:\n" << joined(bytes.mismatches));
  CHECK(bytes == whole);

  std::size_t cuts = 0, differing = 0;
  std::string first_difference;
  const auto sizes = mv::test::server_run_sizes(s);
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    for (std::size_t cut = 1; cut < sizes[k]; ++cut) {
      ++cuts;
      ReplayResult r = run(mv::test::split_run_at(k, cut));
      if (r == whole) continue;
      if (++differing == 1)
        first_difference = "server run " + std::to_string(k) + " cut at " + std::to_string(cut) +
                           ":\n" + joined(r.mismatches) + "error: " + r.error_code;
    }
  }
  INFO("first differing split: " << first_difference);
  CHECK(cuts > 0);
  CHECK(differing == 0);
  return whole;
}

// ---- SMTP ---------------------------------------------------------------------------------------

// The message the recorded run sent, rebuilt from its DATA lines (token, Date, From, To).
std::optional<mv::TestMessage> recorded_message(const RecordedSession& smtp) {
  mv::MessageSpec spec;
  spec.from = mv::test::recorded_value(smtp, '>', "From: ");
  spec.to = mv::test::recorded_value(smtp, '>', "To: ");
  spec.token = mv::test::recorded_value(smtp, '>', "X-Mailverify-Token: ");
  spec.date = mv::test::recorded_value(smtp, '>', "Date: ");
  mv::Error error;
  auto m = mv::TestMessage::compose(spec, error);
  INFO(error.code << " " << error.detail);
  CHECK(m.has_value());
  return m;
}

std::string between_angles(std::string_view s) {
  auto open = s.find('<'), close = s.find('>');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return {};
  return std::string(s.substr(open + 1, close - open - 1));
}

ReplayResult replay_smtp(const RecordedSession& s) {
  auto message = recorded_message(s);
  return replay_every_split(s, [&](const Chunker& chunker) {
    if (message) message->rewind();
    mv::SmtpOptions o;
    o.ehlo_name = mv::test::recorded_value(s, '>', "EHLO ");
    o.tls = mv::test::recorded_implicit_tls(s) ? mv::TlsMode::implicit : mv::TlsMode::starttls;
    o.credentials = dummy_credentials();
    o.mail_from = between_angles(mv::test::recorded_value(s, '>', "MAIL FROM:"));
    o.rcpt_to = between_angles(mv::test::recorded_value(s, '>', "RCPT TO:"));
    o.message = message ? &*message : nullptr;
    mv::SmtpClient client(o);
    ReplayResult r = mv::test::replay_session(s, client, chunker, [](std::string_view) {});
    r.facts.push_back("tls " + std::to_string(client.tls_active()));
    r.facts.push_back("queue id " + client.queue_id());
    r.facts.push_back("pipelining " + std::to_string(client.capabilities().pipelining));
    return r;
  });
}

// ---- IMAP ---------------------------------------------------------------------------------------

bool is_recorded_tag(std::string_view w) {
  if (w.size() != 11 || w[0] != 'M') return false;
  for (char c : w.substr(1))
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

// Each recorded tag, in order of first use by the client, becomes the next tag of a client seeded
// with seed; the server's tagged replies follow.
RecordedSession with_replay_tags(RecordedSession s, std::uint64_t seed) {
  mv::ImapTagGenerator gen(seed);
  std::map<std::string, std::string, std::less<>> tags;
  for (auto& l : s.lines) {
    if (l.dir == '*') continue;
    std::string word = l.text.substr(0, l.text.find(' '));
    if (l.dir == '>' && is_recorded_tag(word) && !tags.count(word)) tags[word] = gen.next();
    if (auto it = tags.find(word); it != tags.end()) {
      l.text = it->second + l.text.substr(word.size());
      l.bytes = it->second + l.bytes.substr(word.size());
    }
  }
  return s;
}

// Starts the read-back task a recorded command shows (as engine/imap_readback.cpp would).
void start_imap_task(mv::ImapClient& c, std::string_view line) {
  if (line == "DONE") {
    c.idle_done();
    return;
  }
  if (!c.ready()) return;
  std::string_view cmd = line.substr(line.find(' ') + 1);
  constexpr std::string_view kSearch = "UID SEARCH HEADER X-Mailverify-Token ";
  constexpr std::string_view kFetch = "UID FETCH ", kStore = "UID STORE ", kMove = "UID MOVE ";
  if (starts_with(cmd, kSearch)) {
    c.search_token(cmd.substr(kSearch.size()));
  } else if (starts_with(cmd, kFetch)) {
    std::string_view rest = cmd.substr(kFetch.size());
    auto uid = number(rest);
    if (!uid) return;
    std::string_view items = rest.substr(rest.find(' ') + 1);
    if (items == "(FLAGS)")
      c.fetch_flags(*uid);
    else if (items == "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])")
      c.fetch_message(*uid);
  } else if (starts_with(cmd, kStore)) {
    std::string_view rest = cmd.substr(kStore.size());
    auto uid = number(rest);
    std::string_view what = rest.substr(rest.find(' ') + 1);
    // \Deleted goes .SILENT; \Seen not (its reply shows the flags; older recordings had .SILENT).
    std::string_view add;
    for (std::string_view form : {"+FLAGS.SILENT (", "+FLAGS ("})
      if (starts_with(what, form)) add = form;
    if (!uid || add.empty() || what.back() != ')') return;
    std::string_view flags = what.substr(add.size(), what.size() - add.size() - 1);
    if (flags == "\\Deleted")
      c.delete_uid(*uid);
    else
      c.store_flags(*uid, flags);
  } else if (starts_with(cmd, kMove)) {
    std::string_view rest = cmd.substr(kMove.size());
    if (auto uid = number(rest)) c.move_uid(*uid, rest.substr(rest.find(' ') + 1));
  } else if (cmd == "NOOP") {
    c.noop();
  } else if (starts_with(cmd, "LIST ") || cmd == "NAMESPACE") {
    c.list_folders();
  } else if (cmd == "IDLE") {
    c.idle();
  } else if (cmd == "LOGOUT") {
    c.logout();
  }
}

ReplayResult replay_imap(const RecordedSession& recorded) {
  const RecordedSession s = with_replay_tags(recorded, kSeed);
  return replay_every_split(s, [&](const Chunker& chunker) {
    mv::ImapOptions o;
    o.tls = mv::test::recorded_implicit_tls(s) ? mv::TlsMode::implicit : mv::TlsMode::starttls;
    o.credentials = dummy_credentials();
    o.tag_seed = kSeed;
    mv::ImapClient client(o);
    ReplayResult r = mv::test::replay_session(
        s, client, chunker, [&](std::string_view line) { start_imap_task(client, line); });
    const auto& m = client.fetched_message();
    r.facts.push_back("tls " + std::to_string(client.tls_active()));
    r.facts.push_back("exists " + std::to_string(client.mailbox().exists));
    r.facts.push_back("uidvalidity " + std::to_string(client.mailbox().uidvalidity.value_or(0)));
    r.facts.push_back("fetched " + std::to_string(m.found) + " uid " + std::to_string(m.uid) +
                      " bytes " + std::to_string(m.message.bytes) + " size " +
                      std::to_string(m.rfc822_size.value_or(0)));
    r.facts.push_back("token " + m.message.token.value_or("-"));
    r.facts.push_back("digest " + m.message.body_digest);
    r.facts.push_back("folders " + std::to_string(client.folders().folders.size()));
    r.facts.push_back("delete " + std::to_string(static_cast<int>(client.delete_outcome())));
    return r;
  });
}

// ---- POP3 ---------------------------------------------------------------------------------------

void start_pop3_task(mv::Pop3Client& c, std::string_view line, const std::string& token) {
  if (!c.idle()) return;
  if (starts_with(line, "TOP ")) {
    c.find_token(token);  // the newest Limits::max_pop3_scanned, as engine/pop3_readback.cpp
  } else if (starts_with(line, "RETR ")) {
    if (auto n = number(line.substr(5))) c.retrieve(*n);
  } else if (starts_with(line, "DELE ")) {
    if (auto n = number(line.substr(5))) c.dele(*n);
  } else if (line == "UIDL" || line == "LIST") {
    c.uidl();
  } else if (line == "RSET") {
    c.rset();
  } else if (line == "QUIT") {
    c.quit();
  }
}

ReplayResult replay_pop3(const RecordedSession& s, const std::string& token) {
  return replay_every_split(s, [&](const Chunker& chunker) {
    mv::Pop3Options o;
    o.tls = mv::test::recorded_implicit_tls(s) ? mv::TlsMode::implicit : mv::TlsMode::starttls;
    o.credentials = dummy_credentials();
    mv::Pop3Client client(o);
    ReplayResult r = mv::test::replay_session(
        s, client, chunker, [&](std::string_view line) { start_pop3_task(client, line, token); });
    const auto& m = client.retrieved();
    r.facts.push_back("tls " + std::to_string(client.tls_active()));
    r.facts.push_back("count " + std::to_string(client.message_count()));
    r.facts.push_back("found " + std::to_string(client.found().value_or(0)));
    r.facts.push_back("retrieved " + std::to_string(m.number) + " size " + std::to_string(m.size));
    r.facts.push_back("token " + m.token.value_or("-"));
    r.facts.push_back("digest " + m.body_digest);
    return r;
  });
}

std::string fact(const ReplayResult& r, std::string_view name) {
  for (const auto& f : r.facts)
    if (starts_with(f, std::string(name) + " ")) return f.substr(name.size() + 1);
  return "<no fact " + std::string(name) + ">";
}

}  // namespace

TEST_CASE("recorded/trace parser: sessions, notes, unescaping") {
  auto all = mv::test::parse_trace(
      "     0.940 imap         * connected to 127.0.0.1:10993\n"
      "    10.062 imap         < * OK ready.\n"
      "    11.105 imap         > M8Q3P7SNYIU AUTHENTICATE PLAIN <redacted>\n"
      "    11.200 imap.device2 < tab\there \\x01 \\xzz \\Seen\n"
      "    12.000 smtp         > \n"
      "    13.000 imap         * connected to 127.0.0.1:10993\n"
      "    13.100 imap         < * BYE\n");
  REQUIRE(all.size() == 4);
  CHECK(all[0].name == "imap");
  CHECK(all[0].lines.size() == 3);
  CHECK(all[0].lines[2].dir == '>');
  CHECK(all[0].lines[2].text == "M8Q3P7SNYIU AUTHENTICATE PLAIN <redacted>");
  CHECK(all[1].name == "imap.device2");
  CHECK(mv::test::unescape_trace(all[1].lines[0].text) ==
        std::string("tab\there \x01 \\xzz \\Seen"));
  CHECK(all[2].lines[0].text == "");
  CHECK(mv::test::find_session(all, "imap", 1).lines.back().text == "* BYE");
  CHECK(mv::test::find_session(all, "pop3").lines.empty());
  CHECK(mv::test::recorded_implicit_tls(all[0]) == false);
}

TEST_CASE("recorded/a trace gives back the exact bytes: pieces, bare LFs, backslashes") {
  // What a server might send, in the pieces the reads returned: a literal cut in two, a CR and
  // its LF in different reads, a bare LF, data that looks like an escape, a backslash last.
  const std::vector<std::string> pieces = {
      "* 1 FETCH (BODY[] {5}\r\nab", "c\r\n\r\n)\r\nx\r",
      "\ny\r\nbare\nlooks like \\x41 \\Seen\r\nends in \\\r\npartial at the end\\", " still\r\n"};
  mv::test::TempDir dir;
  const std::string path = dir.file("t.trace");
  {
    mv::Error error;
    auto trace = mv::Trace::open(path, error);
    REQUIRE(trace);
    trace->note("imap", "connected to 127.0.0.1:993");
    for (const std::string& p : pieces) {
      trace->received("imap", p);
      trace->sent("imap", "M1 NOOP\r\n", false);  // the other direction in between
    }
  }
  std::ifstream in(path, std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const RecordedSession imap = mv::test::find_session(mv::test::parse_trace(text), "imap");
  REQUIRE(!imap.lines.empty());
  std::string server, client;
  for (const auto& l : imap.lines) {
    if (l.dir == '<') server += l.bytes + l.end;
    if (l.dir == '>') client += l.bytes + l.end;
  }
  std::string all;
  for (const std::string& p : pieces)
    all += p;
  CHECK(server == all);
  CHECK(client == "M1 NOOP\r\nM1 NOOP\r\nM1 NOOP\r\nM1 NOOP\r\n");
}

TEST_CASE("recorded/the recordings hold no credentials") {
  for (const char* file :
       {"smtp587-imap993.trace", "smtp587-imap143.trace", "smtp587-pop3s995.trace",
        "smtp587-pop3-110.trace", "smtps465-imap993.trace"}) {
    CAPTURE(file);
    std::size_t redacted = 0;
    for (const auto& s : load(file)) {
      for (const auto& l : s.lines) {
        if (l.dir != '>') continue;
        CAPTURE(l.text);
        // A credential-carrying command is shown only as Trace::redact shows it.
        std::string_view t = l.text;
        const bool auth = starts_with(t, "AUTH ") || starts_with(t, "PASS ") ||
                          t.find(" LOGIN ") != std::string_view::npos ||
                          t.find(" AUTHENTICATE ") != std::string_view::npos;
        if (!auth) continue;
        ++redacted;
        CHECK(t.ends_with(" <redacted>"));
        CHECK(mv::Trace::redact(t) == t);
      }
    }
    CHECK(redacted > 0);
  }
}

TEST_CASE("recorded/smtp 587 STARTTLS, PLAIN, pipelined MAIL/RCPT/DATA (Postfix)") {
  auto all = load("smtp587-imap993.trace");
  auto s = session_of(all, "smtp");
  ReplayResult r = replay_smtp(s);
  CHECK(r.tls_upgrades == 1);
  CHECK(steps(r) == std::vector<std::string>{"smtp.greeting", "smtp.ehlo", "smtp.starttls",
                                             "smtp.ehlo", "smtp.auth", "smtp.mail", "smtp.data",
                                             "smtp.quit"});
  CHECK(fact(r, "tls") == "1");
  CHECK(fact(r, "pipelining") == "1");
  CHECK(fact(r, "queue id") == "23EBE5108F6");
}

TEST_CASE("recorded/smtp 465 implicit TLS (Postfix)") {
  auto all = load("smtps465-imap993.trace");
  auto s = session_of(all, "smtp");
  CHECK(mv::test::recorded_implicit_tls(s));
  ReplayResult r = replay_smtp(s);
  CHECK(r.tls_upgrades == 0);
  CHECK(steps(r) == std::vector<std::string>{"smtp.greeting", "smtp.ehlo", "smtp.auth", "smtp.mail",
                                             "smtp.data", "smtp.quit"});
  CHECK(fact(r, "tls") == "1");
  CHECK_FALSE(fact(r, "queue id").empty());
}

TEST_CASE("recorded/imap 993 session A: search, NOOP poll, fetch, flags, LIST, expunge (Dovecot)") {
  auto all = load("smtp587-imap993.trace");
  auto smtp = session_of(all, "smtp");
  auto message = recorded_message(smtp);
  REQUIRE(message);
  ReplayResult r = replay_imap(session_of(all, "imap"));
  CHECK(r.tls_upgrades == 0);
  CHECK(fact(r, "tls") == "1");
  CHECK(fact(r, "fetched") == "1 uid 3613 bytes 1429 size 1429");
  CHECK(fact(r, "token") == message->token());
  // The body read back over IMAP digests as the one the recorded SMTP session sent.
  CHECK(fact(r, "digest") == message->body_digest());
  CHECK(fact(r, "folders") == "5");
  CHECK(fact(r, "delete") == std::to_string(static_cast<int>(mv::ImapDeleteOutcome::expunged)));
  CHECK(steps(r).back() == "imap.logout");
}

TEST_CASE(
    "recorded/imap 993 second device: NOOP, STORE \\Seen (its reply shows the flags), LOGOUT "
    "(Dovecot)") {
  auto all = load("smtp587-imap993.trace");
  ReplayResult r = replay_imap(session_of(all, "imap.device2"));
  CHECK(fact(r, "exists") == "305");
  const std::vector<std::string> done = steps(r);
  CHECK(std::count(done.begin(), done.end(), "imap.store") == 1);
  CHECK(std::count(done.begin(), done.end(), "imap.fetch") == 0);  // the STORE's reply sufficed
  CHECK(done.back() == "imap.logout");
}

TEST_CASE("recorded/imap 143 STARTTLS session A (Dovecot)") {
  auto all = load("smtp587-imap143.trace");
  auto s = session_of(all, "imap");
  CHECK_FALSE(mv::test::recorded_implicit_tls(s));
  auto message = recorded_message(session_of(all, "smtp"));
  REQUIRE(message);
  ReplayResult r = replay_imap(s);
  CHECK(r.tls_upgrades == 1);
  CHECK(fact(r, "tls") == "1");
  CHECK(fact(r, "token") == message->token());
  CHECK(fact(r, "digest") == message->body_digest());
  CHECK(steps(r).back() == "imap.logout");
}

TEST_CASE("recorded/imap 143 STARTTLS second device (Dovecot)") {
  auto all = load("smtp587-imap143.trace");
  ReplayResult r = replay_imap(session_of(all, "imap.device2"));
  CHECK(r.tls_upgrades == 1);
  CHECK(steps(r).back() == "imap.logout");
}

TEST_CASE("recorded/pop3 995: CAPA, AUTH PLAIN, STAT, TOP, RETR, DELE, QUIT (Dovecot)") {
  auto all = load("smtp587-pop3s995.trace");
  auto message = recorded_message(session_of(all, "smtp"));
  REQUIRE(message);
  ReplayResult r = replay_pop3(session_of(all, "pop3"), message->token());
  CHECK(r.tls_upgrades == 0);
  CHECK(fact(r, "tls") == "1");
  CHECK(fact(r, "count") == "135");
  CHECK(fact(r, "found") == "135");
  CHECK(fact(r, "retrieved") == "135 size 1429");
  CHECK(fact(r, "token") == message->token());
  CHECK(fact(r, "digest") == message->body_digest());
  CHECK(steps(r).back() == "pop3.quit");
}

TEST_CASE("recorded/pop3 110 STLS (Dovecot) and its smtp 587 session") {
  auto all = load("smtp587-pop3-110.trace");
  auto smtp = session_of(all, "smtp");
  auto message = recorded_message(smtp);
  REQUIRE(message);
  ReplayResult sr = replay_smtp(smtp);
  CHECK(sr.tls_upgrades == 1);
  ReplayResult r = replay_pop3(session_of(all, "pop3"), message->token());
  CHECK(r.tls_upgrades == 1);
  CHECK(fact(r, "tls") == "1");
  CHECK(fact(r, "token") == message->token());
  CHECK(fact(r, "digest") == message->body_digest());
  CHECK(steps(r).back() == "pop3.quit");
}
