// SPDX-License-Identifier: Apache-2.0
// ImapTaskResults on its own: the SEARCH bound and truncation, a FETCH body arriving in any pieces
// giving the same ScannedMessage, which bodies are taken, the LIST bound, the removal outcomes and
// the task status. The client's transcripts (test_imap_client.cpp) test the same through the wire.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocols/common/message_scanner.hpp"
#include "protocols/imap/task_results.hpp"
#include "tests/support/imap_responses.hpp"
#include "tests/support/split_feed.hpp"

namespace {

using mv::ImapDeleteOutcome;
using mv::ImapResponse;
using mv::ImapResponseReader;
using mv::ImapTask;
using mv::ImapTaskResults;

// Server bytes through a response reader whose literals stream into results; every FETCH response
// goes to results too, as the client does (the UID is the response's own here).
void feed(ImapTaskResults& results, const std::vector<std::string_view>& chunks,
          const mv::Limits& limits = mv::kDefaultLimits) {
  ImapResponseReader reader(limits);
  reader.set_sink(&results);
  REQUIRE(mv::test::read_imap_responses(reader, chunks, [&](const ImapResponse& r) {
    if (r.keyword == "FETCH") results.on_fetch(r.number.value_or(0), r.fetch.uid, r.fetch);
  }));
}

bool same(const mv::ScannedMessage& a, const mv::ScannedMessage& b) {
  return a.token == b.token && a.token_matched == b.token_matched && a.message_id == b.message_id &&
         a.body_digest == b.body_digest && a.bytes == b.bytes && a.header_ended == b.header_ended &&
         a.header_truncated == b.header_truncated;
}

ImapResponse tagged(mv::ImapStatus status, std::string text, std::string code = {},
                    std::string args = {}) {
  ImapResponse r;
  r.kind = ImapResponse::Kind::tagged;
  r.tag = "M1";
  r.status = status;
  r.text = std::move(text);
  if (!code.empty()) r.code = mv::ImapCode{std::move(code), std::move(args)};
  return r;
}

const std::string kMessage =
    "Message-ID: <m1@example.org>\r\nX-Mailverify-Token:\r\n Tok3n\r\nSubject: a {5} b\r\n\r\n"
    "body line\r\n\"{3}\" )\r\n";

std::string fetch_line(std::uint32_t seq, std::uint32_t uid, const std::string& body) {
  return "* " + std::to_string(seq) + " FETCH (UID " + std::to_string(uid) +
         " FLAGS (\\Seen) RFC822.SIZE " + std::to_string(body.size()) + " BODY[] {" +
         std::to_string(body.size()) + "}\r\n" + body + ")\r\n";
}

}  // namespace

TEST_CASE("imap/task_results: SEARCH keeps at most max_search_results UIDs, then truncated") {
  mv::Limits limits;
  limits.max_search_results = 3;
  ImapTaskResults results(limits);
  results.start_search();
  CHECK(results.search_facts() == "0 matches");
  results.on_search({7});
  CHECK(results.search_facts() == "1 match");
  results.on_search({8, 9});  // exactly at the bound: all kept, nothing dropped
  CHECK(results.search() == std::vector<std::uint32_t>{7, 8, 9});
  CHECK_FALSE(results.search_truncated());
  CHECK(results.search_facts() == "3 matches");
  results.on_search({10, 11});  // a second SEARCH response past the bound
  CHECK(results.search() == std::vector<std::uint32_t>{7, 8, 9});
  CHECK(results.search_truncated());
  CHECK(results.search_facts() == "3 matches (truncated)");
  results.start_search();  // the next search starts over
  CHECK(results.search().empty());
  CHECK_FALSE(results.search_truncated());
}

TEST_CASE("imap/task_results: a FETCH body in any pieces gives the same ScannedMessage") {
  mv::MessageScanner scanner;
  scanner.update(kMessage);
  const mv::ScannedMessage whole = scanner.finish();
  REQUIRE(whole.token == std::optional<std::string>("Tok3n"));

  // Another message's body first (not the UID fetched), then the one fetched.
  const std::string input =
      fetch_line(2, 6, "Subject: other\r\n\r\nx\r\n") + fetch_line(3, 9, kMessage);
  mv::Limits limits;
  limits.max_line = 80;  // the body streams through a buffer smaller than the message
  REQUIRE(kMessage.size() > limits.max_line);
  auto fetched = mv::test::same_for_every_split<mv::ImapFetchedMessage>(
      input,
      [&](const std::vector<std::string_view>& chunks) {
        ImapTaskResults results(limits);
        results.start_fetch(9);
        feed(results, chunks, limits);
        return results.fetched();
      },
      [&](const mv::ImapFetchedMessage& a, const mv::ImapFetchedMessage& b, std::size_t i) {
        INFO("split " << i);
        CHECK(a.found == b.found);
        CHECK(a.seq == b.seq);
        CHECK(same(a.message, b.message));
      });
  CHECK(fetched.found);
  CHECK(fetched.uid == 9);
  CHECK(fetched.seq == 3);
  CHECK(fetched.flags == std::vector<std::string>{"\\Seen"});
  CHECK(fetched.rfc822_size == kMessage.size());
  CHECK(same(fetched.message, whole));
}

TEST_CASE("imap/task_results: only the fetched UID's BODY[] between start_fetch and end_fetch") {
  ImapTaskResults results(mv::kDefaultLimits);
  SUBCASE("another UID's body is not taken") {
    results.start_fetch(5);
    feed(results, {fetch_line(3, 9, kMessage)});
    CHECK_FALSE(results.fetched().found);
    CHECK(results.fetch_facts() == "uid 5 not returned");
  }
  SUBCASE("a section that is not the whole message is not taken") {
    results.start_fetch(9);
    feed(results, {"* 3 FETCH (UID 9 BODY[HEADER] {4}\r\nA: b)\r\n"});
    CHECK_FALSE(results.fetched().found);
  }
  SUBCASE("RFC822 counts as the whole message") {
    results.start_fetch(9);
    feed(results, {"* 3 FETCH (UID 9 RFC822 {" + std::to_string(kMessage.size()) + "}\r\n" +
                   kMessage + ")\r\n"});
    CHECK(results.fetched().found);
    CHECK(results.fetch_facts() ==
          "uid 9, " + std::to_string(kMessage.size()) + " bytes, token present");
  }
  SUBCASE("after end_fetch the next body is not scanned") {
    results.start_fetch(9);
    results.end_fetch();
    feed(results, {fetch_line(3, 9, kMessage)});
    CHECK_FALSE(results.fetched().found);
  }
}

TEST_CASE("imap/task_results: the fetch's status outlives the commands behind it") {
  ImapTaskResults results(mv::kDefaultLimits);
  results.begin(ImapTask::fetch_message, 9);
  results.start_fetch(9);
  const auto& st = results.finish(tagged(mv::ImapStatus::no, "no such message", "NONEXISTENT"));
  CHECK(st.finished);
  CHECK_FALSE(st.ok);
  CHECK(st.code == "NONEXISTENT");
  CHECK(st.server_says == "[NONEXISTENT] no such message");
  results.end_fetch();
  results.start_removal(9);  // the removal pipelined behind the fetch
  results.finish(tagged(mv::ImapStatus::ok, "Expunge completed.", "HIGHESTMODSEQ", "17"));
  CHECK(results.status().ok);
  CHECK(results.status().server_says == "[HIGHESTMODSEQ 17] Expunge completed.");
  CHECK(results.status().task == ImapTask::fetch_message);
  CHECK_FALSE(results.fetch_status().ok);
  CHECK(results.fetch_status().code == "NONEXISTENT");
  CHECK(results.uid() == 9);
}

TEST_CASE("imap/task_results: a task's status starts over; the server's words are sanitised") {
  ImapTaskResults results(mv::kDefaultLimits);
  results.begin(ImapTask::noop);
  CHECK(results.status().task == ImapTask::noop);
  CHECK_FALSE(results.status().finished);
  results.finish(tagged(mv::ImapStatus::bad,
                        "bad\x01"
                        "command"));
  CHECK(results.status().code.empty());
  CHECK(results.status().server_says == "bad\\x01command");
  results.begin(ImapTask::search);
  CHECK(results.status().task == ImapTask::search);
  CHECK_FALSE(results.status().finished);
  CHECK(results.status().server_says.empty());
}

TEST_CASE("imap/task_results: LIST keeps at most max_folders folders, then truncated") {
  mv::Limits limits;
  limits.max_folders = 2;
  ImapTaskResults results(limits);
  results.start_list(true);
  CHECK(results.folders().special_use_requested);
  mv::ImapListEntry sent{{"\\Sent", "\\HasNoChildren"}, "/", "Sent"};
  mv::ImapListEntry trash{{"\\Trash"}, "/", "Trash"};
  results.on_list(sent, true);
  results.on_list(trash, true);
  CHECK_FALSE(results.folders().truncated);
  results.on_list(mv::ImapListEntry{{}, "/", "Archive"}, true);
  CHECK(results.folders().truncated);
  CHECK(results.folders().folders.size() == 2);
  CHECK(results.folders().utf8);
  CHECK(results.list_facts() == "2 folders (truncated)");
  REQUIRE(results.folders().special_use("\\trash") != nullptr);
  CHECK(results.folders().special_use("\\trash")->name == "Trash");
  CHECK(results.folders().special_use("\\Junk") == nullptr);
  CHECK_FALSE(results.listed());
  results.end_list(true);
  CHECK(results.listed());

  results.start_list(false);  // NAMESPACE, then a plain LIST
  CHECK_FALSE(results.listed());
  CHECK_FALSE(results.folders().special_use_requested);
  CHECK(results.folders().folders.empty());
  results.on_namespace(mv::ImapNamespace{true, "INBOX.", "."});
  results.on_list(mv::ImapListEntry{{}, ".", "INBOX.Sent"}, false);
  CHECK(results.folders().personal.prefix == "INBOX.");
  CHECK_FALSE(results.folders().utf8);
  CHECK(results.list_facts() == "1 folders");
  results.end_list(false);
  CHECK_FALSE(results.listed());
}

TEST_CASE("imap/task_results: removal outcomes") {
  ImapTaskResults results(mv::kDefaultLimits);
  auto outcome = [&](auto steps) {
    results.start_removal(4);
    CHECK(results.delete_outcome() == ImapDeleteOutcome::none);
    steps();
    return results.delete_outcome();
  };
  // UIDPLUS: the UID EXPUNGE behind the STORE decides, and removes nothing after a refused STORE.
  CHECK(outcome([&] {
          results.on_delete_store(true, true);
          CHECK(results.delete_outcome() == ImapDeleteOutcome::none);
          results.on_expunge(true);
        }) == ImapDeleteOutcome::expunged);
  CHECK(outcome([&] {
          results.on_delete_store(false, true);
          results.on_expunge(true);
        }) == ImapDeleteOutcome::failed);
  CHECK(outcome([&] {
          results.on_delete_store(true, true);
          results.on_expunge(false);
        }) == ImapDeleteOutcome::failed);
  // Without UIDPLUS the STORE is all there is.
  CHECK(outcome([&] { results.on_delete_store(true, false); }) == ImapDeleteOutcome::flagged_only);
  CHECK(outcome([&] { results.on_delete_store(false, false); }) == ImapDeleteOutcome::failed);
  CHECK(outcome([&] { results.on_move(true); }) == ImapDeleteOutcome::moved);
  CHECK(outcome([&] { results.on_move(false); }) == ImapDeleteOutcome::failed);
  CHECK(results.uid() == 4);
}

TEST_CASE("imap/task_results: task names") {
  CHECK(mv::imap_task_name(ImapTask::fetch_message) == "fetch_message");
  CHECK(mv::imap_task_name(ImapTask::delete_uid) == "delete_uid");
  CHECK(mv::imap_task_name(ImapTask::logout) == "logout");
}
