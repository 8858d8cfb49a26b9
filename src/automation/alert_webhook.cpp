// The only translation unit that includes httplib.h (a heavy header, compiled with the flags
// Debian's libcpp-httplib was built with: see src/automation/CMakeLists.txt).

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "automation/alert_delivery.hpp"
#include "cairn/error.hpp"

namespace cairn {
namespace {

constexpr std::size_t kBodyShown = 300;  // bytes of an error answer's body in the message

[[noreturn]] void bad_url(std::string_view url, const std::string& why) {
  throw Error("webhook URL '" + std::string(url) + "' " + why +
              "; write it as http://host[:port]/path");
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

WebhookUrl WebhookUrl::parse(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) bad_url(url, "has no scheme");
  const std::string scheme = lower(url.substr(0, scheme_end));
  if (scheme == "https") {
    throw Error("webhook URL '" + std::string(url) +
                "' uses https, which alert_webhook does not support; use an http:// URL (a "
                "local relay), or alert_command(\"curl -sS --fail -H 'Content-Type: "
                "application/json' --data-binary @- " +
                std::string(url) + "\"), which posts the alert read from its stdin");
  }
  if (scheme != "http") bad_url(url, "has scheme '" + scheme + "', not http");

  WebhookUrl parsed;
  parsed.text = std::string(url);
  std::string_view rest = url.substr(scheme_end + 3);
  if (auto fragment = rest.find('#'); fragment != std::string_view::npos) {
    rest = rest.substr(0, fragment);
  }
  const auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  if (authority_end != std::string_view::npos) {
    parsed.path = std::string(rest.substr(authority_end));
    if (parsed.path.front() == '?') parsed.path.insert(0, "/");
  }
  if (authority.find('@') != std::string_view::npos) {
    bad_url(url,
            "has credentials before the host, which are not sent; put a token in the path "
            "or the query instead, or use alert_command with curl");
  }
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) bad_url(url, "has an unclosed IPv6 address");
    parsed.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') bad_url(url, "has text after its IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) bad_url(url, "has an empty port");
    }
  } else {
    const auto colon = authority.find(':');
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) bad_url(url, "has an empty port");
    }
  }
  if (parsed.host.empty()) bad_url(url, "has no host");
  if (!port_text.empty()) {
    int port = 0;
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      bad_url(url, "has port '" + std::string(port_text) + "', not a number from 1 to 65535");
    }
    parsed.port = port;
  }
  return parsed;
}

void post_alert_webhook(const WebhookUrl& url, std::string_view json,
                        std::chrono::milliseconds timeout) {
  httplib::Client client(url.host, url.port);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  httplib::Result result = client.Post(url.path, std::string(json), "application/json");
  if (!result) {
    throw Error("webhook " + url.text + " did not answer: " + httplib::to_string(result.error()) +
                " (timeout " + std::to_string(timeout.count()) + " ms)");
  }
  if (result->status < 200 || result->status > 299) {
    std::string body = result->body.substr(0, kBodyShown);
    while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.pop_back();
    throw Error("webhook " + url.text + " answered HTTP " + std::to_string(result->status) +
                (body.empty() ? std::string() : ": " + body));
  }
}

}  // namespace cairn
