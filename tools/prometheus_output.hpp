// SPDX-License-Identifier: Apache-2.0
// --prometheus FILE: the results in the Prometheus text exposition format (version 0.0.4), for the
// node exporter's textfile collector, with blackbox_exporter's probe metrics as the model:
//   mailverify_probe_success, mailverify_probe_duration_seconds,
//   mailverify_probe_phase_duration_seconds{phase}, mailverify_probe_delivery_seconds,
//   mailverify_probe_ssl_earliest_cert_expiry (Unix seconds), mailverify_probe_exit_code,
//   mailverify_probe_last_run_timestamp_seconds, mailverify_probe_error{category,code} (failures
// only), all gauges, one series per account (label account: its name, else its address).
// The file is replaced atomically (a temporary file in the same directory, then rename), so the
// collector never reads half of it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/run.hpp"

namespace mv::tool {

struct PrometheusAccount {
  const RunConfig& config;
  const RunResult& result;
  std::string label;
};

std::string render_prometheus(const std::vector<PrometheusAccount>& accounts);

// Writes text to path through a hidden temporary file beside it (the collector reads *.prom only)
// and rename(2). Returns an error naming the file and the cause, empty on success.
std::string write_file_atomically(const std::string& path, const std::string& text);

}  // namespace mv::tool
