// Design note: an alert sensor is a run-status sensor whose function delivers, so the daemon's
// guarantees carry over: a failed delivery throws, the tick is recorded FAILURE with the error and
// the delivery log, the sensor's event position stays where it was, and the next tick sees the
// same runs again (at least once). Retrying every destination for every run of the tick would
// repeat an alert to the destinations that did receive it at each retry (an email every 30 s
// while a webhook is down), so the deliveries that succeeded in a failed tick are remembered, in
// memory, and skipped by its retries; after a restart of the daemon they are repeated once.
// Rejected: keeping that record in the sensor's cursor (a failed tick does not store its cursor,
// and storing it would move the event position past the failed run).

#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "automation/alert_delivery.hpp"
#include "cairn/alerts.hpp"

namespace cairn {
namespace {

// One destination, checked when the sensor is built.
struct Delivery {
  AlertDestination destination;
  std::optional<WebhookUrl> url;  // kWebhook

  std::string describe() const {
    switch (destination.kind) {
      case AlertDestination::Kind::kFile:
        return "file " + destination.target;
      case AlertDestination::Kind::kCommand:
        return "command `" + destination.target + "`";
      case AlertDestination::Kind::kWebhook:
        return "webhook " + destination.target;
    }
    return destination.target;
  }

  void deliver(const RunInfo& run, const std::string& json) const {
    switch (destination.kind) {
      case AlertDestination::Kind::kFile:
        append_alert_line(destination.target, json);
        return;
      case AlertDestination::Kind::kCommand:
        run_alert_command(destination.target, run, json, kAlertCommandTimeout);
        return;
      case AlertDestination::Kind::kWebhook:
        post_alert_webhook(*url, json, kAlertWebhookTimeout);
        return;
    }
  }
};

// The deliveries made by ticks that failed, until a tick succeeds.
class DeliveredAlerts {
 public:
  bool contains(const std::string& key) const {
    std::lock_guard lock(mutex_);
    return keys_.contains(key);
  }
  void insert(std::string key) {
    std::lock_guard lock(mutex_);
    keys_.insert(std::move(key));
  }
  // A tick that delivered everything it saw: every run a failed tick saw was among them (the
  // event position did not move in between).
  void clear() {
    std::lock_guard lock(mutex_);
    keys_.clear();
  }

 private:
  mutable std::mutex mutex_;      // guards keys_ (a Sensor may be copied into two daemons)
  std::set<std::string> keys_{};  // run id, status, end time and destination index
};

std::string delivery_key(const RunInfo& run, std::size_t destination) {
  return run.run_id + '\n' + run.status + '\n' + std::to_string(run.ended_at) + '\n' +
         std::to_string(destination);
}

std::string describe_run(const RunInfo& run) {
  std::string text = "run " + run.run_id + " (" + run.status;
  if (!run.job_name.empty()) text += ", job " + run.job_name;
  return text + ")";
}

Delivery checked(const std::string& sensor, const AlertDestination& destination) {
  if (destination.target.empty()) {
    throw Error("alert sensor '" + sensor +
                "' has a destination with no target; build destinations with alert_to_file, "
                "alert_command or alert_webhook");
  }
  Delivery delivery{.destination = destination, .url = std::nullopt};
  if (destination.kind == AlertDestination::Kind::kWebhook) {
    delivery.url = WebhookUrl::parse(destination.target);
  }
  return delivery;
}

}  // namespace

AlertDestination alert_to_file(std::string path) {
  if (path.empty()) throw Error("alert_to_file: the path is empty; give the file to append to");
  return {.kind = AlertDestination::Kind::kFile, .target = std::move(path)};
}

AlertDestination alert_command(std::string command) {
  if (command.empty()) throw Error("alert_command: the command is empty; give a shell command");
  return {.kind = AlertDestination::Kind::kCommand, .target = std::move(command)};
}

AlertDestination alert_webhook(std::string url) {
  WebhookUrl::parse(url);
  return {.kind = AlertDestination::Kind::kWebhook, .target = std::move(url)};
}

Sensor run_alert_sensor(std::string name, std::vector<AlertDestination> destinations,
                        std::vector<std::string> statuses, std::vector<std::string> jobs) {
  if (destinations.empty()) {
    throw Error("alert sensor '" + name +
                "' has no destination; give at least one alert_to_file, alert_command or "
                "alert_webhook");
  }
  for (const auto& status : statuses) {
    if (status != "SUCCESS" && status != "FAILURE" && status != "CANCELED") {
      throw Error("alert sensor '" + name + "' watches run status '" + status +
                  "'; use SUCCESS, FAILURE or CANCELED");
    }
  }
  if (statuses.empty()) {
    throw Error("alert sensor '" + name +
                "' watches no run status; give SUCCESS, FAILURE or "
                "CANCELED");
  }
  std::vector<Delivery> deliveries;
  for (const auto& destination : destinations) deliveries.push_back(checked(name, destination));
  auto delivered = std::make_shared<DeliveredAlerts>();

  Sensor sensor = run_status_sensor(
      name, std::move(statuses),
      [deliveries = std::move(deliveries), delivered](SensorContext& ctx) -> SensorResult {
        const auto& runs = ctx.finished_runs();
        std::string first_error;
        int failures = 0;
        for (const RunInfo& run : runs) {
          const std::string json = alert_json(run, ctx.sensor_name());
          for (std::size_t i = 0; i < deliveries.size(); ++i) {
            const std::string key = delivery_key(run, i);
            const std::string what = describe_run(run) + " to " + deliveries[i].describe();
            if (delivered->contains(key)) {
              ctx.log("already alerted " + what + " in a failed tick");
              continue;
            }
            try {
              deliveries[i].deliver(run, json);
              delivered->insert(key);
              ctx.log("alerted " + what);
            } catch (const std::exception& e) {
              ctx.log("could not alert " + what + ": " + e.what());
              if (failures++ == 0) first_error = "alert for " + what + " failed: " + e.what();
            }
          }
        }
        if (failures > 0) {
          throw Error(first_error +
                      (failures > 1 ? " (and " + std::to_string(failures - 1) +
                                          " more failed deliveries, see the tick log)"
                                    : std::string()) +
                      "; the next tick delivers it again");
        }
        delivered->clear();
        if (runs.empty()) return SensorResult::skip("no finished run to alert on");
        return SensorResult::skip("alerted " + std::to_string(runs.size()) + " run(s)");
      });
  sensor.run_jobs = std::move(jobs);
  return sensor;
}

}  // namespace cairn
