// SPDX-License-Identifier: Apache-2.0
// Recorded transcripts (tests/data/transcripts/*.trace, written by verify-roundtrip --trace against
// the real Postfix + Dovecot) replayed as scripted peers: the SERVER side of one recorded session
// is fed into the real client, and what the client sends must equal, line by line, what it sent
// on the wire that day. The trace format (engine/trace.hpp): "<ms> <session> <dir> <text>", dir
// '>' client to server, '<' server to client, '*' a note ("connected to ...", "TLS established:
// ..."); a line ends in CRLF unless it ends with the mark "\x0a" (a bare LF) or "\" (continued in
// the session's next line of the same direction: a read or write boundary), control characters
// are \xNN, and credential lines are redacted, so those are compared through the same
// Trace::redact().
#pragma once

#include <cstddef>
#include <deque>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "engine/trace.hpp"
#include "protocols/common/conversation.hpp"

namespace mv::test {

struct RecordedLine {
  char dir = '*';            // '>' client to server, '<' server to client, '*' note
  std::string text;          // as recorded (escaped; '>' lines possibly redacted), pieces joined
  std::string bytes;         // text unescaped: the bytes on the wire, without the line end
  std::string end = "\r\n";  // the line end on the wire: CRLF, or a bare LF
  bool continued = false;    // the last piece so far ended with "\": more follows
};

// One connection: the lines of one session name from its "connected to" note to the next one.
struct RecordedSession {
  std::string name;  // "smtp", "imap", "imap.device2", "pop3"
  std::vector<RecordedLine> lines;
};

// The directory of the recordings, found from this header's own path at compile time (the test
// build passes no source directory): ".../tests/support/x.hpp" -> ".../tests/data/transcripts/".
inline std::string transcripts_dir() {
  std::string here = __FILE__;
  auto pos = here.rfind("tests/support/");
  if (pos == std::string::npos) pos = here.rfind("tests\\support\\");
  return here.substr(0, pos) + "tests/data/transcripts/";
}

// The file's text, empty when it cannot be read.
inline std::string read_transcript_file(const std::string& file_name) {
  std::ifstream in(transcripts_dir() + file_name, std::ios::binary);
  if (!in) return {};
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Trace::escape undone: "\xNN" (lower-case hex, as Trace writes it) back to the byte.
inline std::string unescape_trace(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x' && hex(text[i + 2]) >= 0 &&
        hex(text[i + 3]) >= 0) {
      out += static_cast<char>(hex(text[i + 2]) * 16 + hex(text[i + 3]));
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Every session of a trace, in order of connection. Lines that do not parse are skipped.
inline std::vector<RecordedSession> parse_trace(std::string_view text) {
  std::vector<RecordedSession> sessions;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // "%10.3f %-12s %c text": the time, the name (no spaces), the direction, one space, the text.
    std::size_t p = line.find_first_not_of(' ');
    if (p == std::string_view::npos) continue;
    std::size_t sp = line.find(' ', p);
    if (sp == std::string_view::npos) continue;
    std::size_t name_at = line.find_first_not_of(' ', sp);
    if (name_at == std::string_view::npos) continue;
    std::size_t name_end = line.find(' ', name_at);
    if (name_end == std::string_view::npos) continue;
    std::string name(line.substr(name_at, name_end - name_at));
    std::size_t dir_at = line.find_first_not_of(' ', name_end);
    if (dir_at == std::string_view::npos) continue;
    char dir = line[dir_at];
    if (dir != '>' && dir != '<' && dir != '*') continue;
    std::string body =
        dir_at + 2 <= line.size() ? std::string(line.substr(dir_at + 2)) : std::string();
    RecordedSession* s = nullptr;
    const bool connect = dir == '*' && body.rfind("connected to ", 0) == 0;
    for (auto it = sessions.rbegin(); it != sessions.rend() && !connect; ++it) {
      if (it->name == name) {
        s = &*it;
        break;
      }
    }
    if (!s) {
      sessions.push_back({name, {}});
      s = &sessions.back();
    }
    // A line that goes on: the last piece of this direction in this session ended with "\" (the
    // writer escapes a data backslash at the end as \x5c, so a bare one is always the mark).
    RecordedLine* open = nullptr;
    for (auto it = s->lines.rbegin(); it != s->lines.rend(); ++it) {
      if (it->dir == dir) {
        if (it->continued) open = &*it;
        break;
      }
    }
    if (!open) {
      s->lines.push_back({dir, {}, {}, "\r\n", false});
      open = &s->lines.back();
    }
    open->continued = dir != '*' && !body.empty() && body.back() == '\\';
    if (open->continued) body.pop_back();
    std::string bytes = unescape_trace(body);
    if (dir != '*' && !open->continued && body.ends_with("\\x0a")) {
      bytes.pop_back();  // the bare LF is the line end
      open->end = "\n";
    }
    open->text += body;
    open->bytes += bytes;
  }
  return sessions;
}

// The index-th connection (0-based) named name, or an empty session.
inline RecordedSession find_session(const std::vector<RecordedSession>& sessions,
                                    std::string_view name, std::size_t index = 0) {
  for (const auto& s : sessions) {
    if (s.name == name && index-- == 0) return s;
  }
  return {std::string(name), {}};
}

// The rest of the first line in direction dir starting with prefix; empty when none.
inline std::string recorded_value(const RecordedSession& s, char dir, std::string_view prefix) {
  for (const auto& l : s.lines) {
    if (l.dir == dir && l.text.rfind(prefix, 0) == 0) return l.text.substr(prefix.size());
  }
  return {};
}

// True when the recording shows TLS before the first server byte (implicit TLS).
inline bool recorded_implicit_tls(const RecordedSession& s) {
  for (const auto& l : s.lines) {
    if (l.dir == '<' || l.dir == '>') return false;
    if (l.text.rfind("TLS established", 0) == 0) return true;
  }
  return false;
}

// How a run of consecutive server lines (CRLF-joined) is cut into on_bytes() calls. run_index
// counts the runs of the session from 0.
using Chunker =
    std::function<std::vector<std::string_view>(std::string_view run, std::size_t run_index)>;

inline Chunker whole_runs() {
  return [](std::string_view run, std::size_t) { return std::vector<std::string_view>{run}; };
}

inline Chunker byte_by_byte() {
  return [](std::string_view run, std::size_t) {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < run.size(); ++i)
      out.push_back(run.substr(i, 1));
    return out;
  };
}

// Run `which` cut in two at `cut`; every other run whole.
inline Chunker split_run_at(std::size_t which, std::size_t cut) {
  return [which, cut](std::string_view run, std::size_t index) {
    if (index != which || cut == 0 || cut >= run.size()) return std::vector<std::string_view>{run};
    return std::vector<std::string_view>{run.substr(0, cut), run.substr(cut)};
  };
}

// The sizes of the server runs the replay feeds (for split_run_at).
inline std::vector<std::size_t> server_run_sizes(const RecordedSession& s) {
  std::vector<std::size_t> sizes;
  bool in_run = false;
  for (const auto& l : s.lines) {
    if (l.dir != '<') {
      in_run = false;
      continue;
    }
    if (!in_run) sizes.push_back(0);
    in_run = true;
    sizes.back() += l.bytes.size() + l.end.size();
  }
  return sizes;
}

struct ReplayResult {
  std::vector<std::string> mismatches;    // empty: the client said exactly what was recorded
  std::vector<std::string> client_lines;  // what the client sent, shown as a trace shows it
  std::vector<std::string> events;        // "step: detail", in order
  std::size_t compared = 0;               // recorded client lines matched
  std::size_t tls_upgrades = 0;           // on_tls_ready() calls
  bool done = false;
  std::string error_code;          // the client's error().code, empty when none
  std::vector<std::string> facts;  // what the test read from the client afterwards

  bool operator==(const ReplayResult&) const = default;
};

// Replays the server side of session into client. Before each recorded client line the client's
// output is drained (as the pump writes it); when it has nothing to send, start_task(line) is
// called so the test can start the task the recorded command shows (IMAP/POP3 read-back tasks).
// A recorded line ending in "<redacted>" is compared with Trace::redact() of the client's line,
// which must also have been marked sensitive. A "TLS established" note while the client
// wants_tls() is answered with on_tls_ready() (what follows is the decrypted stream).
inline ReplayResult replay_session(const RecordedSession& session, Conversation& client,
                                   const Chunker& chunker,
                                   const std::function<void(std::string_view)>& start_task) {
  ReplayResult r;
  std::deque<std::pair<std::string, bool>> sent;  // complete client lines, sensitive or not
  std::string partial;
  bool partial_sensitive = false;

  auto pull_events = [&] {
    while (auto e = client.next_event())
      r.events.push_back(e->step + ": " + e->detail);
  };
  auto drain = [&] {
    for (;;) {
      std::string_view out = client.output();
      if (out.empty()) break;
      const bool sensitive = client.output_sensitive();
      std::string bytes(out);
      client.consume(bytes.size());
      for (std::string_view rest = bytes; !rest.empty();) {
        const auto lf = rest.find('\n');
        partial.append(rest.substr(0, lf == std::string_view::npos ? rest.size() : lf + 1));
        partial_sensitive = partial_sensitive || sensitive;
        rest = lf == std::string_view::npos ? std::string_view{} : rest.substr(lf + 1);
        if (lf == std::string_view::npos) break;
        const bool crlf = partial.size() >= 2 && partial[partial.size() - 2] == '\r';
        if (!crlf) r.mismatches.push_back("client line without CRLF: " + Trace::escape(partial));
        std::string line = partial.substr(0, partial.size() - (crlf ? 2 : 1));
        r.client_lines.push_back(partial_sensitive ? Trace::redact(line) : Trace::escape(line));
        sent.emplace_back(std::move(line), partial_sensitive);
        partial.clear();
        partial_sensitive = false;
      }
    }
    pull_events();
  };

  bool starttls_sent = false;
  std::size_t run_index = 0;
  const auto& lines = session.lines;
  for (std::size_t i = 0; i < lines.size() && r.mismatches.empty(); ++i) {
    const RecordedLine& l = lines[i];
    if (l.dir == '>') {
      drain();
      if (sent.empty()) {
        start_task(l.text);
        drain();
      }
      if (sent.empty()) {
        r.mismatches.push_back("line " + std::to_string(i) +
                               ": client sent nothing, recorded: " + l.text);
        break;
      }
      auto [line, sensitive] = sent.front();
      sent.pop_front();
      constexpr std::string_view kRedacted = "<redacted>";
      const bool redacted =
          l.text.size() >= kRedacted.size() &&
          l.text.compare(l.text.size() - kRedacted.size(), std::string_view::npos, kRedacted) == 0;
      const std::string shown = redacted ? Trace::redact(line) : Trace::escape(line);
      if (shown != l.text || (redacted && !sensitive)) {
        r.mismatches.push_back("line " + std::to_string(i) + ": client sent " + shown +
                               (redacted && !sensitive ? " (not marked sensitive)" : "") +
                               ", recorded: " + l.text);
      }
      ++r.compared;
      const std::string upper = [&] {
        std::string u = l.text;
        for (char& c : u)
          if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        return u;
      }();
      if (upper == "STARTTLS" || upper == "STLS" || upper.ends_with(" STARTTLS"))
        starttls_sent = true;
    } else if (l.dir == '<') {
      std::string run;
      std::size_t j = i;
      for (; j < lines.size() && lines[j].dir == '<'; ++j)
        run.append(lines[j].bytes).append(lines[j].end);
      i = j - 1;
      drain();  // the pump writes what is pending before it reads
      for (std::string_view chunk : chunker(run, run_index)) {
        client.on_bytes(chunk);
        drain();
      }
      ++run_index;
    } else if (l.text.rfind("TLS established", 0) == 0) {
      drain();
      if (client.wants_tls()) {
        client.on_tls_ready();
        ++r.tls_upgrades;
        drain();
      } else if (starttls_sent) {
        r.mismatches.push_back("line " + std::to_string(i) +
                               ": TLS established after STARTTLS, but the client does not want "
                               "TLS");
      }
    }
  }
  drain();
  for (const auto& [line, sensitive] : sent)
    r.mismatches.push_back("client sent more than recorded: " +
                           (sensitive ? Trace::redact(line) : Trace::escape(line)));
  if (!partial.empty())
    r.mismatches.push_back("client left an unterminated line: " + Trace::escape(partial));
  r.done = client.done();
  r.error_code = client.error().code;
  return r;
}

}  // namespace mv::test
