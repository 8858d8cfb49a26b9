#include "replay_automation.hpp"

#include <cairn/alerts.hpp>
#include <cairn/tracking.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "applications.hpp"
#include "credit_model.hpp"

namespace credit {

std::string instance_home() {
  if (const char* home = std::getenv("CAIRN_HOME"); home != nullptr && *home) return home;
  return ".cairn";
}

cairn::RunRequest retrain_request(std::string run_key) {
  return {.run_key = std::move(run_key), .job = kRetrainJob, .partition_keys = variant_names()};
}

cairn::Sensor predict_next_day_sensor() {
  cairn::Sensor sensor = cairn::asset_sensor(
      "predict_next_day", {"credit/batch_predictions"}, [](cairn::SensorContext& ctx) {
        // Keys are "YYYY-MM-DD": their text order is their time order.
        std::string last = ctx.cursor();
        for (const auto& m : ctx.new_materializations()) last = std::max(last, m.partition_key);
        const auto days = new_days();
        std::optional<std::string> next =
            last.empty() ? std::optional<std::string>(kFirstNewDay) : days.shift(last, 1);
        if (!next) {
          cairn::SensorResult done = cairn::SensorResult::skip(
              "the replay is over: every day up to " + last + " is predicted");
          done.cursor = last;
          return done;
        }
        ctx.log("last predicted day " + (last.empty() ? std::string("(none)") : last) +
                "; requesting " + *next);
        cairn::SensorResult result;
        result.run_requests.push_back(
            {.run_key = "replay:" + *next, .job = kPredictJob, .partition_keys = {*next}});
        result.cursor = *next;
        return result;
      });
  sensor.interval = std::chrono::hours(24);
  sensor.job = kPredictJob;
  return sensor;
}

namespace {

// The max_psi metric of the feature_drift step that produced `m`, from its tracking run.
std::optional<double> max_psi_of(const cairn::tracking::Tracker& tracker,
                                 const cairn::MaterializationInfo& m) {
  auto runs = tracker.search_runs(
      {.experiments = {"credit/feature_drift"},
       .filter = "run_id = '" + m.run_id + "' and partition_key = '" + m.partition_key + "'",
       .order_by = "start_time desc",
       .limit = 1});
  if (runs.empty()) return std::nullopt;
  auto it = runs.front().metrics.find("max_psi");
  if (it == runs.front().metrics.end()) return std::nullopt;
  return it->second;
}

std::string format_psi(double psi) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", psi);
  return text;
}

}  // namespace

cairn::Sensor retrain_on_drift_sensor() {
  cairn::Sensor sensor = cairn::asset_sensor(
      "retrain_on_drift", {"credit/feature_drift"}, [](cairn::SensorContext& ctx) {
        if (ctx.new_materializations().empty()) {
          return cairn::SensorResult::skip("no new feature_drift materialization");
        }
        auto tracker = cairn::tracking::Tracker::open(instance_home());
        std::string crossed;  // "day=psi, ..." of the days above the threshold
        const cairn::MaterializationInfo* latest_crossing = nullptr;
        double highest = 0;
        for (const auto& m : ctx.new_materializations()) {
          auto psi = max_psi_of(tracker, m);
          if (!psi) continue;
          highest = std::max(highest, *psi);
          if (*psi > kDriftThreshold) {
            crossed += (crossed.empty() ? "" : ", ") + m.partition_key + "=" + format_psi(*psi);
            latest_crossing = &m;
          }
        }
        if (latest_crossing == nullptr) {
          return cairn::SensorResult::skip(
              "max PSI " + format_psi(highest) + " <= " + format_psi(kDriftThreshold) + " in " +
              std::to_string(ctx.new_materializations().size()) + " new day(s)");
        }
        ctx.log("PSI above " + format_psi(kDriftThreshold) + " on " + crossed +
                "; requesting retraining");
        cairn::RunRequest request = retrain_request("psi:" + latest_crossing->partition_key + ":" +
                                                    latest_crossing->data_version.substr(0, 12));
        request.tags = {{"drift_days", crossed}};
        cairn::SensorResult result;
        result.run_requests.push_back(std::move(request));
        return result;
      });
  sensor.interval = std::chrono::seconds(5);
  sensor.job = kRetrainJob;
  return sensor;
}

cairn::Sensor failure_alert_sensor() {
  cairn::Sensor sensor = cairn::run_alert_sensor(
      "alert_on_failure", {cairn::alert_to_file(instance_home() + "/alerts.jsonl")});
  sensor.interval = std::chrono::seconds(5);
  return sensor;
}

cairn::Schedule weekly_retrain_schedule() {
  return {.name = "retrain_weekly",
          .cron = "0 3 * * mon",
          .timezone = "UTC",
          .job = kRetrainJob,
          .customize = [](std::chrono::system_clock::time_point, const cairn::RunRequest& tick)
              -> std::optional<cairn::RunRequest> { return retrain_request(tick.run_key); }};
}

}  // namespace credit
