// SPDX-License-Identifier: Apache-2.0
#include "engine/oauth2_flows.hpp"

#include <algorithm>

#include "engine/clock.hpp"
#include "engine/interrupt.hpp"
#include "engine/loopback_redirect.hpp"
#include "protocols/common/base64url.hpp"
#include "protocols/common/wipe.hpp"
#include "protocols/oauth2/form.hpp"
#include "protocols/oauth2/pkce.hpp"

namespace mv {

namespace {

Error usage_error(std::string detail) {
  return make_error(ErrorKind::oauth2, Protocol::none, std::move(detail));
}

Error interrupted_error(const std::string& step) {
  Error e = make_error(ErrorKind::interrupted, Protocol::none, "interrupted during the sign-in");
  e.step = step;
  return e;
}

// POST a form to an endpoint; the answer's HTTP response, or the outcome's error. 3xx is refused:
// a token endpoint that redirects is misconfigured, and following it would send secrets elsewhere.
Task<HttpOutcome> post_form(Pump& pump, TlsContext& tls, const std::string& url_text,
                            const FormFields& fields, Timeouts timeouts, Report& report,
                            const std::string& step) {
  HttpOutcome out;
  std::optional<Url> url = parse_url(url_text);
  if (!url) {
    out.error = usage_error("the endpoint URL \"" + sanitize_server_text(url_text, 200) +
                            "\" is not an absolute https:// URL");
    out.error.step = step;
    co_return out;
  }
  HttpRequest request;
  request.method = "POST";
  request.url = *url;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  request.body = form_encode(fields);
  out = co_await https_request(pump, tls, std::move(request), timeouts, report, step);
  if (out.response && out.response->status >= 300 && out.response->status < 400) {
    const std::string* location = out.response->header("Location");
    out.error = make_error(
        ErrorKind::oauth2_redirect, Protocol::none,
        "the endpoint " + url->origin() + " answered HTTP " + std::to_string(out.response->status) +
            " (a redirect" +
            (location ? " to " + sanitize_server_text(*location, 200) : std::string()) +
            "), which is not followed with secrets in the request: check the endpoint URL");
    out.error.step = step;
    out.response.reset();
  }
  co_return out;
}

void add_client(FormFields& f, const OAuthClient& client) {
  f.emplace_back("client_id", client.client_id);
  if (!client.client_secret.empty()) f.emplace_back("client_secret", client.client_secret);
}

void wipe_fields(FormFields& f) {
  for (auto& [k, v] : f)
    wipe(v);
}

Task<FlowOutcome> token_call(Pump& pump, TlsContext& tls, const OAuthClient& client,
                             FormFields fields, Timeouts timeouts, Report& report,
                             std::string step) {
  FlowOutcome out;
  out.step = step;
  add_client(fields, client);
  HttpOutcome http =
      co_await post_form(pump, tls, client.token_url, fields, timeouts, report, step);
  wipe_fields(fields);
  if (!http.response) {
    out.error = std::move(http.error);
    co_return out;
  }
  TokenAnswer answer = read_token_answer(*http.response);
  wipe(http.response->body);
  out.grant = std::move(answer.grant);
  out.refusal = std::move(answer.refusal);
  out.error = std::move(answer.error);
  if (out.error) out.error.step = step;
  co_return out;
}

std::string countdown(Millis left) {
  const long s = static_cast<long>(std::max<Millis>(0, left) / 1000);
  std::string sec = std::to_string(s % 60);
  if (sec.size() < 2) sec = "0" + sec;
  return std::to_string(s / 60) + ":" + sec;
}

std::string random_text(const OAuthIo& io, std::size_t bytes) {
  const auto r = io.random();
  return base64url_encode(
      std::string_view(reinterpret_cast<const char*>(r.data()), std::min(bytes, r.size())));
}

}  // namespace

Task<FlowOutcome> device_flow(Pump& pump, TlsContext& tls, const OAuthClient& client,
                              const OAuthIo& io, Timeouts timeouts, Report& report) {
  FlowOutcome out;
  out.step = "oauth2.device";
  if (client.device_url.empty()) {
    out.error = usage_error(
        "this provider has no device authorization endpoint: sign in with the browser flow "
        "(--oauth2-flow browser)");
    out.error.step = out.step;
    co_return out;
  }
  FormFields fields;
  add_client(fields, client);
  fields.emplace_back("scope", client.scope);
  HttpOutcome http =
      co_await post_form(pump, tls, client.device_url, fields, timeouts, report, out.step);
  if (!http.response) {
    out.error = std::move(http.error);
    co_return out;
  }
  DeviceAnswer answer = read_device_answer(*http.response);
  if (answer.refusal || answer.error) {
    out.refusal = std::move(answer.refusal);
    out.error = std::move(answer.error);
    if (out.error) out.error.step = out.step;
    co_return out;
  }
  DeviceAuthorization& d = *answer.authorization;
  std::string message =
      "To sign in, open " + d.verification_uri + "\nand enter the code   " + d.user_code + "\n";
  if (!d.verification_uri_complete.empty())
    message += "(or open " + d.verification_uri_complete + " , which carries the code)\n";
  if (io.show) io.show(message);

  const Millis expires = pump.now() + d.expires_in * 1000;
  Millis interval = d.interval * 1000;
  out.step = "oauth2.token";
  for (;;) {
    const Millis poll_at = pump.now() + interval;
    // Wait for the poll time, a second at a time on a terminal (the countdown).
    for (Millis now = pump.now(); now < poll_at; now = pump.now()) {
      if (io.progress)
        io.progress("waiting for the sign-in in the browser: " + countdown(expires - now) +
                    " left");
      const Millis until = io.progress ? std::min(poll_at, now + 1000) : poll_at;
      co_await pump.until([] { return interrupted(); }, until);
      if (interrupted()) {
        out.error = interrupted_error(out.step);
        wipe(d.device_code);
        co_return out;
      }
    }
    if (pump.now() >= expires) {
      out.refusal = OAuthError{"expired_token", "the code was not used in time", {}, 0};
      break;
    }
    FormFields poll{{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
                    {"device_code", d.device_code}};
    FlowOutcome step =
        co_await token_call(pump, tls, client, std::move(poll), timeouts, report, out.step);
    if (step.refusal && step.refusal->code == "authorization_pending") continue;
    if (step.refusal && step.refusal->code == "slow_down") {
      interval += 5000;  // RFC 8628 section 3.5, for this and every later request
      continue;
    }
    out.grant = std::move(step.grant);
    out.refusal = std::move(step.refusal);
    out.error = std::move(step.error);
    break;
  }
  wipe(d.device_code);
  co_return out;
}

Task<FlowOutcome> browser_flow(Pump& pump, TlsContext& tls, const OAuthClient& client,
                               const OAuthIo& io, Timeouts timeouts, Report& report,
                               Millis give_up_after) {
  FlowOutcome out;
  out.step = "oauth2.authorize";
  if (client.authorize_url.empty()) {
    out.error = usage_error("no authorization endpoint for the browser flow (--oauth2-auth-url)");
    out.error.step = out.step;
    co_return out;
  }
  LoopbackRedirect listener;
  if (!listener.start(pump, "/", out.error)) {
    out.error.step = out.step;
    co_return out;
  }
  Pkce pkce = make_pkce(io.random());
  const std::string state = random_text(io, 16);
  listener.expect_state(state);
  // No path: the form Google documents for desktop apps and Azure registers ("http://localhost",
  // any port); a browser asks for "/" then.
  const std::string redirect_uri =
      "http://" + client.redirect_host + ":" + std::to_string(listener.port());
  FormFields query{{"client_id", client.client_id},
                   {"response_type", "code"},
                   {"redirect_uri", redirect_uri},
                   {"scope", client.scope},
                   {"state", state},
                   {"code_challenge", pkce.challenge},
                   {"code_challenge_method", "S256"}};
  if (!client.login_hint.empty()) query.emplace_back("login_hint", client.login_hint);
  query.insert(query.end(), client.authorize_extra.begin(), client.authorize_extra.end());
  std::string url = client.authorize_url;
  url += url.find('?') == std::string::npos ? '?' : '&';
  for (std::size_t i = 0; i < query.size(); ++i) {
    if (i) url += '&';
    url += percent_encode(query[i].first) + "=" + percent_encode(query[i].second);
  }
  if (io.show)
    io.show("To sign in, open this address in a browser on this machine:\n" + url + "\n");
  if (io.open_browser) io.open_browser(url);
  const Millis give_up = pump.now() + give_up_after;
  while (!listener.result() && !interrupted() && pump.now() < give_up) {
    const Millis now = pump.now();
    if (io.progress)
      io.progress("waiting for the browser's redirect to 127.0.0.1:" +
                  std::to_string(listener.port()) + ": " + countdown(give_up - now) + " left");
    co_await pump.until([&] { return listener.result().has_value() || interrupted(); },
                        io.progress ? std::min(give_up, now + 1000) : give_up);
  }
  if (!listener.result()) {
    if (interrupted()) {
      out.error = interrupted_error(out.step);
    } else {
      out.error = make_error(
          ErrorKind::oauth2_no_redirect, Protocol::none,
          "no browser came back to the sign-in's redirect in " + seconds_text(give_up_after));
      out.error.step = out.step;
    }
    wipe(pkce.verifier);
    co_return out;
  }
  listener.stop();
  FormFields fields = *listener.result();
  auto field = [&](const char* name) -> std::string {
    for (const auto& [k, v] : fields)
      if (k == name) return v;
    return {};
  };
  if (!field("error").empty()) {
    out.refusal = OAuthError{sanitize_server_text(field("error"), 80),
                             sanitize_server_text(field("error_description"), 400),
                             {},
                             0};
  } else if (field("state") != state) {
    out.error = make_error(ErrorKind::oauth2_state, Protocol::none,
                           "the redirect's state does not match this sign-in's (a stale tab, or "
                           "another page calling the listener): nothing was redeemed");
    out.error.step = out.step;
  } else if (field("code").empty()) {
    out.error = make_error(ErrorKind::oauth2_response, Protocol::none,
                           "the redirect came back without an authorization code");
    out.error.step = out.step;
  } else {
    FormFields redeem{{"grant_type", "authorization_code"},
                      {"code", field("code")},
                      {"redirect_uri", redirect_uri},
                      {"code_verifier", pkce.verifier}};
    out =
        co_await token_call(pump, tls, client, std::move(redeem), timeouts, report, "oauth2.token");
  }
  wipe_fields(fields);
  wipe(pkce.verifier);
  co_return out;
}

Task<FlowOutcome> refresh_flow(Pump& pump, TlsContext& tls, const OAuthClient& client,
                               const std::string& refresh_token, Timeouts timeouts,
                               Report& report) {
  FormFields fields{{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}};
  if (!client.scope.empty()) fields.emplace_back("scope", client.scope);
  FlowOutcome out =
      co_await token_call(pump, tls, client, std::move(fields), timeouts, report, "oauth2.refresh");
  co_return out;
}

}  // namespace mv
