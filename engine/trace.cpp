// SPDX-License-Identifier: Apache-2.0
#include "engine/trace.hpp"

#include <time.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "engine/clock.hpp"
#include "protocols/common/ascii.hpp"

namespace mv {

namespace {

// The first n space-separated words of line.
std::string_view first_words(std::string_view line, int n) {
  std::size_t pos = 0;
  for (int i = 0; i < n; ++i) {
    pos = line.find(' ', pos);
    if (pos == std::string_view::npos) return line;
    if (i + 1 < n) ++pos;
  }
  return line.substr(0, pos);
}

std::string_view word(std::string_view line, int index) {
  std::string_view rest = line;
  for (int i = 0; i < index; ++i) {
    auto sp = rest.find(' ');
    if (sp == std::string_view::npos) return {};
    rest = rest.substr(sp + 1);
  }
  return rest.substr(0, rest.find(' '));
}

// ISO 8601 UTC with microseconds, "2026-11-22T04:18:29.612690Z", of a wall-clock instant.
std::string utc_text_us(std::int64_t wall_us) {
  const std::time_t seconds = static_cast<std::time_t>(wall_us / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[48];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06ldZ", static_cast<long>(wall_us % 1'000'000));
  return buf;
}

}  // namespace

std::unique_ptr<Trace> Trace::open(const std::string& path, Error& error, const Clock& clock) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) {
    error = make_error(ErrorKind::trace_file, Protocol::none,
                       "cannot write the trace file " + path + ": " + std::strerror(errno));
    return nullptr;
  }
  std::unique_ptr<Trace> trace(new Trace(f, clock));
  // The wall-clock instant of time 0, so a trace can be lined up with server logs.
  trace->note("trace", "started " + utc_text_us(clock.wall_us()) +
                           " (wall clock; the first column is ms since then)");
  return trace;
}

Trace::~Trace() {
  std::fclose(file_);
}

std::string Trace::escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\' && (i + 1 == text.size() || text[i + 1] == 'x')) {
      out += "\\x5c";  // else it would read as an escape or as the continuation mark
    } else {
      append_escaped(out, c, /*keep_tab=*/true);
    }
  }
  return out;
}

std::string Trace::redact(std::string_view line) {
  // SMTP/POP3 "AUTH MECH ...", POP3 "PASS ...", IMAP "tag LOGIN ...", "tag AUTHENTICATE MECH ...".
  std::string_view keep;
  std::string_view w0 = word(line, 0), w1 = word(line, 1);
  if (iequals(w0, "AUTH"))
    keep = first_words(line, 2);
  else if (iequals(w0, "PASS"))
    keep = w0;
  else if (iequals(w1, "LOGIN"))
    keep = first_words(line, 2);
  else if (iequals(w1, "AUTHENTICATE"))
    keep = first_words(line, 3);
  std::string out = escape(keep);
  if (!out.empty()) out += ' ';
  out += "<redacted>";
  return out;
}

void Trace::prefix(std::string_view session, char direction) {
  double ms = static_cast<double>(clock_.now_us() - start_us_) / 1000.0;
  std::fprintf(file_, "%10.3f %-12.*s %c ", ms, static_cast<int>(session.size()), session.data(),
               direction);
}

void Trace::write_lines(std::string_view session, char direction, std::string_view bytes,
                        bool sensitive, bool wire) {
  while (!bytes.empty()) {
    auto lf = bytes.find('\n');
    std::string_view line = bytes.substr(0, lf);
    const char* end_mark = "";  // CR LF: the line break says it
    if (lf == std::string_view::npos) {
      bytes = {};
      end_mark = "\\";  // the line goes on in a later piece
    } else {
      bytes = bytes.substr(lf + 1);
      if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
      } else {
        end_mark = "\\x0a";  // a bare LF
      }
    }
    prefix(session, direction);
    std::string shown = sensitive ? redact(line) : escape(line);
    if (wire) shown += end_mark;
    std::fwrite(shown.data(), 1, shown.size(), file_);
    std::fputc('\n', file_);
  }
  std::fflush(file_);
}

void Trace::sent(std::string_view session, std::string_view bytes, bool sensitive) {
  write_lines(session, '>', bytes, sensitive, /*wire=*/true);
}

void Trace::received(std::string_view session, std::string_view bytes) {
  write_lines(session, '<', bytes, false, /*wire=*/true);
}

void Trace::note(std::string_view session, std::string_view text) {
  write_lines(session, '*', text, false, /*wire=*/false);
}

}  // namespace mv
