#pragma once
// Delivering one alert (docs/automation.md, "Alerts") to a file, a command or a webhook. Each
// function returns once the alert is delivered and throws cairn::Error saying why it was not
// otherwise; run_alert_sensor turns that into a failed tick, so that the alert is delivered again
// by the next one.

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "cairn/automation.hpp"

namespace cairn {

inline constexpr std::chrono::milliseconds kAlertCommandTimeout{30'000};
inline constexpr std::chrono::milliseconds kAlertWebhookTimeout{10'000};

/// Appends `json` and a newline to `path`, creating the file and its directories. The line is one
/// write(2) on a descriptor opened with O_APPEND, so lines appended at the same time by other
/// threads or processes never interleave; the file (and its directory, when the file is new) is
/// fsynced before returning, so a delivered alert survives a crash.
void append_alert_line(const std::filesystem::path& path, std::string_view json);

/// Runs `/bin/sh -c command` in a process group of its own with `json` on its standard input and
/// CAIRN_RUN_ID, CAIRN_RUN_STATUS, CAIRN_JOB and CAIRN_FAILURE_REASON (from `run`) added to this
/// process's environment. Throws if it cannot be started, exits non-zero, dies of a signal, or
/// has not exited after `timeout` (its process group is then killed); the message names the
/// command and ends with the last lines it wrote to stdout and stderr.
void run_alert_command(const std::string& command, const RunInfo& run, std::string_view json,
                       std::chrono::milliseconds timeout);

/// An http:// URL split for the HTTP client.
struct WebhookUrl {
  std::string text;  ///< as given
  std::string host;  ///< without the brackets of an IPv6 literal
  int port = 80;
  std::string path = "/";  ///< with the query, if any

  /// Throws Error naming the URL and the fix if it is not `http://host[:port][/path]`; an
  /// https:// URL is refused with a pointer to alert_command and curl.
  static WebhookUrl parse(std::string_view url);
};

/// POSTs `json` with Content-Type application/json. Throws, naming the URL, if there is no
/// answer within `timeout` (to connect, to send, and to read) or it is not a 2xx; the message
/// ends with the start of the answer's body.
void post_alert_webhook(const WebhookUrl& url, std::string_view json,
                        std::chrono::milliseconds timeout);

}  // namespace cairn
