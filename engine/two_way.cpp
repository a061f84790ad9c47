// SPDX-License-Identifier: Apache-2.0
// run_two_way(): the peer's message to the account, then the account's reply to the peer, each a
// run of its own (engine/run.hpp), reported as one.
#include "engine/run.hpp"

namespace mv {

namespace {

// The leg's own step first, then its steps under the leg's name.
void append_leg(RunResult& into, const char* leg, const RunConfig& config, const RunResult& r) {
  std::string detail = config.email + " -> " + config.rcpt_to;
  if (r.delivery_ms)
    detail += ": delivered in " + std::to_string(static_cast<long>(*r.delivery_ms)) + " ms";
  else if (!r.report.ok())
    detail += ": failed";
  into.report.add_step(std::string("leg.") + leg, r.report.total_ms, detail, r.report.ok());
  for (StepRecord s : r.report.steps) {
    s.name = std::string(leg) + ":" + s.name;
    into.report.steps.push_back(std::move(s));
  }
  for (TlsFact t : r.report.tls) {
    t.session = std::string(leg) + ":" + t.session;
    into.report.tls.push_back(std::move(t));
  }
  for (const std::string& w : r.report.warnings)
    into.report.warnings.push_back(std::string(leg) + ": " + w);
  into.report.total_ms += r.report.total_ms;
  if (r.report.error && !into.report.error) {
    into.report.error = r.report.error;
    into.report.error.step = std::string(leg) + ":" + r.report.error.step;
  }
}

}  // namespace

RunResult run_two_way(const RunConfig& from_peer, RunConfig reply) {
  RunResult out;
  const RunResult first = run(from_peer);
  out.token = first.token;
  out.message_id = first.message_id;
  out.body_digest = first.body_digest;
  out.queue_id = first.queue_id;
  out.delivery_ms = first.delivery_ms;
  append_leg(out, "from_peer", from_peer, first);
  if (!first.report.ok()) return out;
  reply.in_reply_to = first.message_id;
  append_leg(out, "reply", reply, run(reply));
  return out;
}

}  // namespace mv
