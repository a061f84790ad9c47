// SPDX-License-Identifier: Apache-2.0
#include "tools/settings_discovery.hpp"

#include "engine/address_lookup.hpp"
#include "engine/diagnosis.hpp"
#include "engine/srv_discovery.hpp"
#include "tls/host_address.hpp"
#include "tools/mx_providers.hpp"
#include "tools/name_servers.hpp"

namespace mv::tool {

namespace {

std::string domain_of(const std::string& email) {
  const std::size_t at = email.rfind('@');
  std::string d = at == std::string::npos ? email : email.substr(at + 1);
  for (char& c : d)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return d;
}

Task<SourceOutcome> preset_source(const ProviderPreset* preset) {
  SourceOutcome out;
  out.source = "preset";
  if (!preset) {
    out.detail = "no built-in preset for the domain";
    co_return out;
  }
  out.candidates =
      preset_candidates(*preset, SettingsSource::preset, "preset " + std::string(preset->name));
  out.status = SourceStatus::found;
  out.detail = std::string(preset->display);
  co_return out;
}

// Every source the plan runs, in the order their outcomes are shown. The HTTP-based sources
// (autoconfig under the domain and .well-known, the ISPDB by domain, by the MX's registered
// domain and a local one, Autodiscover) plug in here: each is one more DiscoverySource, a task
// that ends by the deadline it is given and returns its SourceOutcome.
struct Sources {
  std::vector<DiscoverySource> tasks;
  std::vector<std::string> names;
};
Sources discovery_sources(Pump& pump, DnsResolver& resolver, const std::string& domain,
                          const ProviderPreset* preset) {
  Sources s;
  s.names = {"preset", "SRV", "MX"};
  s.tasks.push_back([preset](Millis) { return preset_source(preset); });
  s.tasks.push_back([&pump, &resolver, domain](Millis deadline) {
    return srv_source(pump, resolver, domain, deadline);
  });
  s.tasks.push_back(
      [&resolver, domain](Millis deadline) { return mx_source(resolver, domain, deadline); });
  return s;
}

ServerRole incoming_role(const RunConfig& c) {
  return c.receive == Receive::imap ? ServerRole::imap : ServerRole::pop3;
}

// The candidate into the endpoint, under the options that set its fields.
void apply(const SettingsCandidate& c, const DiscoveryRequest& d,
           const DiscoveryRequest::Given& given, Endpoint& e) {
  if (given.host) return;  // an explicit host: its endpoint stays as given
  e.host = c.host;
  if (!given.tls) e.tls = c.tls;
  if (!given.port) e.port = c.port;
  const ConnectTarget target = connect_target(d.connect_to, d.pins, e.host, e.port);
  e.address = target.address;
  e.connect_port = target.port != e.port ? target.port : 0;
}

// The error, diagnosed; cause and fix set afterwards by the caller replace the generic ones.
Error discovery_error(ErrorKind kind, const std::string& detail, const std::string& protocol,
                      const std::string& host) {
  Error e = make_error(kind, Protocol::none, detail);
  e.step = "discovery";
  DiagnosisContext ctx;
  ctx.protocol = protocol;
  ctx.host = host;
  diagnose(e, ctx);
  return e;
}

Task<void> discovery_plan(Pump& pump, DnsResolver& resolver, ToolOptions& o,
                          DiscoveryReport& report, Millis deadline) {
  RunConfig& config = o.config;
  const std::string domain = domain_of(config.email);
  if (o.discovery.requested || o.discovery.needed) {
    Sources s = discovery_sources(pump, resolver, domain, o.preset);
    report.result = co_await discover(pump, domain, s.tasks, s.names, deadline);
    report.ran = true;
    struct Need {
      bool wanted;
      ServerRole role;
      const DiscoveryRequest::Given& given;
      Endpoint& endpoint;
    };
    const Need needs[] = {
        {config.send, ServerRole::smtp, o.discovery.smtp, config.smtp.endpoint},
        {config.read_back, incoming_role(config), o.discovery.incoming, config.incoming.endpoint}};
    for (const Need& n : needs) {
      if (!n.wanted) continue;
      const RankedCandidate* best = report.result.best(n.role);
      if (best) {
        report.chosen.push_back(best);
        apply(best->candidate, o.discovery, n.given, n.endpoint);
        continue;
      }
      if (n.given.host) continue;
      // Nothing for this server: say what each source did, and whether DNS itself failed.
      bool all_failed = true;
      std::string what, first_failure;
      for (const SourceOutcome& so : report.result.outcomes) {
        if (so.status != SourceStatus::failed && so.source != "preset") all_failed = false;
        if (so.status == SourceStatus::failed && first_failure.empty())
          first_failure = so.source + ": " + so.detail;
        what += (what.empty() ? "" : ", ") + so.source + " " +
                std::string(source_status_name(so.status));
      }
      const std::string protocol(server_role_name(n.role));
      if (all_failed) {
        report.error =
            discovery_error(ErrorKind::dns,
                            "settings discovery for " + domain +
                                " got no answer from the name servers (" + first_failure + ")",
                            protocol, domain);
        report.error.cause = "no name server answered the discovery queries for " + domain;
        report.error.fix =
            "check --dns-server (or /etc/resolv.conf) and the network, or give the servers with "
            "--host";
      } else {
        report.error = discovery_error(
            ErrorKind::no_settings,
            "settings discovery for " + domain + " found no " + protocol + " server (" + what + ")",
            protocol, domain);
      }
      co_return;
    }
  }
  // --dns-server: the run's hosts are looked up there too.
  if (o.discovery.servers.empty()) co_return;
  for (Endpoint* e : {&config.smtp.endpoint, &config.incoming.endpoint}) {
    if (e->host.empty() || !e->address.empty()) continue;
    const std::optional<HostAddress> literal = parse_host_address(e->host);
    if (literal && literal->literal()) continue;
    AddressLookup found = co_await lookup_addresses(pump, resolver, e->host, e->family, deadline);
    if (found.addresses.empty()) {
      report.error = discovery_error(ErrorKind::dns, found.why, "", e->host);
      co_return;
    }
    for (const std::string& a : found.addresses)
      e->address += (e->address.empty() ? "" : ",") + a;
  }
}

}  // namespace

bool wants_discovery(const ToolOptions& o) {
  return o.discovery.requested || o.discovery.needed || !o.discovery.servers.empty();
}

DiscoveryReport discover_settings(ToolOptions& o) {
  DiscoveryReport report;
  if (!wants_discovery(o)) return report;
  report.servers = o.discovery.servers;
  if (report.servers.empty()) {
    std::string why;
    report.servers = system_name_servers(why);
    if (report.servers.empty()) {
      report.error = discovery_error(ErrorKind::no_name_server, why, "", "");
      return report;
    }
  }
  Pump pump;
  DnsResolver resolver(pump, report.servers);
  const Millis deadline = pump.now() + o.config.timeouts.connect;
  pump.spawn(discovery_plan(pump, resolver, o, report, deadline));
  pump.run();
  return report;
}

}  // namespace mv::tool
