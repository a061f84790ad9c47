// SPDX-License-Identifier: Apache-2.0
#include "tools/settings_discovery.hpp"

#include <algorithm>

#include "engine/address_lookup.hpp"
#include "engine/autoconfig_source.hpp"
#include "engine/autodiscover_source.hpp"
#include "engine/diagnosis.hpp"
#include "engine/discovery_urls.hpp"
#include "engine/srv_discovery.hpp"
#include "protocols/common/ascii.hpp"
#include "tls/host_address.hpp"
#include "tools/ispdb_file.hpp"
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
  out.source = SettingsSource::preset;
  out.origin = "the built-in presets";
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

// What the HTTPS sources share: the loop, the run's trust (its TlsContext), timeouts and where
// --connect-to and --resolve send each connection. Each source writes its steps into a scratch
// Report of its own: a source that does not exist is an outcome, not a failed step of the run.
struct HttpsContext {
  Pump& pump;
  TlsContext& tls;
  Timeouts timeouts;
  ConnectRoute route;
  std::string email;

  // The run's timeouts, none longer than what is left until the deadline.
  Timeouts within(Millis deadline) const {
    const Millis left = std::max<Millis>(1, deadline - pump.now());
    Timeouts t = timeouts;
    t.connect = std::min(t.connect, left);
    t.handshake = std::min(t.handshake, left);
    t.idle = std::min(t.idle, left);
    return t;
  }
};

// A discovery connection's endpoint through --connect-to and --resolve, then (with --dns-server)
// the name it goes to looked up at the run's name servers, like every other host of the run.
Task<Error> route_endpoint(Pump& pump, DnsResolver& resolver, const DiscoveryRequest& d,
                           Endpoint& e, Millis deadline) {
  const ConnectTarget target = connect_target(d.connect_to, d.pins, e.host, e.port);
  e.address = target.address;
  e.connect_port = target.port != e.port ? target.port : 0;
  if (d.servers.empty()) co_return Error{};  // the system resolver, as for the mail servers
  const std::string name = e.address.empty() ? e.host : e.address;
  const std::optional<HostAddress> literal = parse_host_address(name);
  if (name.find(',') != std::string::npos || (literal && literal->literal())) co_return Error{};
  AddressLookup found = co_await lookup_addresses(pump, resolver, name, e.family, deadline);
  if (found.addresses.empty()) co_return make_error(ErrorKind::dns, Protocol::none, found.why);
  e.address.clear();
  for (const std::string& a : found.addresses)
    e.address += (e.address.empty() ? "" : ",") + a;
  co_return Error{};
}

Task<SourceOutcome> autoconfig_source(const HttpsContext& h, AutoconfigRequest r, Millis deadline) {
  Report scratch;
  SourceOutcome out =
      co_await fetch_autoconfig(h.pump, h.tls, r.source, r.url, h.email, r.covered_domain,
                                h.within(deadline), scratch, kDefaultLimits, h.route);
  settle_status(out);
  co_return out;
}

// ISPDB by the MX: the domain's MX first (the resolver), then the ISPDB by its registered domain.
Task<SourceOutcome> ispdb_mx_source(const HttpsContext& h, DnsResolver& resolver,
                                    std::string domain, std::string ispdb_base, Millis deadline) {
  const MxHosts mx = co_await mx_hosts(resolver, domain, deadline);
  SourceOutcome out;
  out.source = SettingsSource::ispdb_mx;
  out.origin = "ISPDB by the MX of " + domain;
  if (mx.hosts.empty()) {
    out.status = mx.answer.status == DnsAnswer::Status::failed ? SourceStatus::failed
                                                               : SourceStatus::nothing;
    out.detail = mx.answer.status == DnsAnswer::Status::failed
                     ? "MX of " + domain + ": " + mx.answer.why
                     : "no MX record for " + domain;
    co_return out;
  }
  const std::string mx_domain = registered_domain(mx.hosts.front());
  for (AutoconfigRequest& r : autoconfig_requests(domain, h.email, ispdb_base, mx_domain)) {
    if (r.source != SettingsSource::ispdb_mx) continue;
    out = co_await autoconfig_source(h, std::move(r), deadline);
    out.mx_domain = mx_domain;
    co_return out;
  }
  out.mx_domain = mx_domain;
  out.detail = "the MX " + mx.hosts.front() + " is under " + domain + " itself (asked as ispdb)";
  co_return out;
}

// Autodiscover at one endpoint; a redirectAddr answer asks once more, for that address, at the
// same endpoint of its domain (bounded: once).
Task<SourceOutcome> autodiscover_source(const HttpsContext& h, std::size_t endpoint,
                                        Millis deadline) {
  Report scratch;
  const std::string domain = email_domain(h.email);
  SourceOutcome out =
      co_await fetch_autodiscover(h.pump, h.tls, autodiscover_urls(domain)[endpoint], h.email,
                                  h.within(deadline), scratch, kDefaultLimits, h.route);
  if (!out.redirect_email.empty() && h.pump.now() < deadline) {
    const std::string again = out.redirect_email;
    const std::string again_domain = email_domain(again);
    std::vector<std::string> notes = out.notes;
    notes.push_back(out.final_url + " redirects to the address " + again + ": asked once more");
    SourceOutcome second =
        co_await fetch_autodiscover(h.pump, h.tls, autodiscover_urls(again_domain)[endpoint], again,
                                    h.within(deadline), scratch, kDefaultLimits, h.route);
    if (!iequals(again_domain, domain)) {
      for (SettingsCandidate& c : second.candidates)
        c.identity_trusted = false;
      if (!second.candidates.empty())
        notes.push_back("the address " + again + " is outside " + domain +
                        ": its settings may not name the certificate's host");
    }
    if (!second.redirect_email.empty()) {
      notes.push_back("it redirects again, to " + second.redirect_email + ": not followed");
      second.error.detail = "the redirectAddr " + again + " redirects again, to " +
                            second.redirect_email + ": not followed (one redirectAddr is asked)";
    }
    notes.insert(notes.end(), second.notes.begin(), second.notes.end());
    second.notes = std::move(notes);
    second.redirects.insert(second.redirects.begin(), out.final_url + " -> " + again);
    second.origin = out.origin;
    out = std::move(second);
  }
  settle_status(out);
  co_return out;
}

Task<SourceOutcome> local_ispdb_source(std::string path, std::string email, std::string domain) {
  SourceOutcome out = read_local_ispdb(path, email, domain);
  settle_status(out);
  co_return out;
}

// Every source the plan runs, in the order their outcomes are shown: the preset, a local ISPDB
// (--ispdb), autoconfig under the domain and at its .well-known path, the central ISPDB by the
// domain and by the MX's registered domain, SRV, the MX's provider, Autodiscover's two endpoints.
// All run at once; each ends by the deadline it is given.
std::vector<PlannedSource> discovery_sources(const HttpsContext& h, DnsResolver& resolver,
                                             const std::string& domain, const DiscoveryRequest& d,
                                             const ProviderPreset* preset) {
  std::vector<PlannedSource> s;
  s.push_back({SettingsSource::preset, "the built-in presets",
               [preset](Millis) { return preset_source(preset); }});
  if (!d.ispdb_path.empty())
    s.push_back({SettingsSource::ispdb_local, d.ispdb_path, [&h, &d, domain](Millis) {
                   return local_ispdb_source(d.ispdb_path, h.email, domain);
                 }});
  for (AutoconfigRequest& r : autoconfig_requests(domain, h.email, d.ispdb_url)) {
    const SettingsSource source = r.source;
    std::string url = r.url;
    s.push_back({source, std::move(url), [&h, r = std::move(r)](Millis deadline) {
                   return autoconfig_source(h, r, deadline);
                 }});
  }
  s.push_back({SettingsSource::ispdb_mx, "ISPDB by the MX of " + domain,
               [&h, &resolver, domain, base = d.ispdb_url](Millis deadline) {
                 return ispdb_mx_source(h, resolver, domain, base, deadline);
               }});
  s.push_back(
      {SettingsSource::srv, "SRV under " + domain, [&h, &resolver, domain](Millis deadline) {
         return srv_source(h.pump, resolver, domain, deadline);
       }});
  s.push_back(
      {SettingsSource::mx_provider, "MX of " + domain,
       [&resolver, domain](Millis deadline) { return mx_source(resolver, domain, deadline); }});
  if (d.autodiscover) {
    const std::vector<std::string> urls = autodiscover_urls(domain);
    for (std::size_t i = 0; i < urls.size(); ++i)
      s.push_back({SettingsSource::autodiscover, urls[i],
                   [&h, i](Millis deadline) { return autodiscover_source(h, i, deadline); }});
  }
  return s;
}

// The sources that ask the run's name servers (not the preset table, files or HTTPS).
bool asks_name_servers(SettingsSource s) {
  return s == SettingsSource::srv || s == SettingsSource::mx_provider ||
         s == SettingsSource::ispdb_mx;
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

Task<void> discovery_plan(Pump& pump, const HttpsContext& https, DnsResolver& resolver,
                          ToolOptions& o, DiscoveryReport& report, Millis deadline) {
  RunConfig& config = o.config;
  const std::string domain = domain_of(config.email);
  if (o.discovery.requested || o.discovery.needed) {
    const std::vector<PlannedSource> sources =
        discovery_sources(https, resolver, domain, o.discovery, o.preset);
    report.result = co_await discover(pump, domain, sources, deadline);
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
        const std::string name(settings_source_name(so.source));
        what +=
            (what.empty() ? "" : ", ") + name + " " + std::string(source_status_name(so.status));
        if (!asks_name_servers(so.source)) continue;
        if (so.status != SourceStatus::failed) all_failed = false;
        if (so.status == SourceStatus::failed && first_failure.empty())
          first_failure = name + ": " + so.detail;
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
  Error tls_error;
  std::unique_ptr<TlsContext> tls = TlsContext::create(o.config.tls, tls_error);
  if (!tls) {
    report.error = std::move(tls_error);
    return report;
  }
  Pump pump;
  DnsResolver resolver(pump, report.servers);
  const Millis deadline = pump.now() + o.config.timeouts.connect;
  // Outlives the run: a source that overran the deadline may still be using it.
  const ConnectRoute route = [&pump, &resolver, &o, deadline](Endpoint& e) {
    return route_endpoint(pump, resolver, o.discovery, e, deadline);
  };
  const HttpsContext https{pump, *tls, o.config.timeouts, route, o.config.email};
  pump.spawn(discovery_plan(pump, https, resolver, o, report, deadline));
  pump.run();
  return report;
}

}  // namespace mv::tool
