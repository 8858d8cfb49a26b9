#include "cli/tracking_output.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ostream>

#include "cli/output.hpp"
#include "cli/progress_display.hpp"
#include "tracking/tracking_backend.hpp"

namespace cairn {

using nlohmann::json;

namespace {

json number_or_null(double value) {
  return std::isfinite(value) ? json(value) : json(nullptr);
}

json time_or_null(double t) {
  return t > 0 ? json(t) : json(nullptr);
}

json text_or_null(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

json metrics_json(const std::map<std::string, double>& metrics) {
  json out = json::object();
  for (const auto& [key, value] : metrics) out[key] = number_or_null(value);
  return out;
}

json links_json(const tracking::RunLinks& links) {
  return {{"run_id", text_or_null(links.run_id)},
          {"asset_key", text_or_null(links.asset_key)},
          {"partition_key", text_or_null(links.partition_key)}};
}

}  // namespace

tracking::Tracker open_tracker(CliEnv& env) {
  return tracking::Tracker(tracking::borrow_instance(env.instance()));
}

json to_json(const tracking::Experiment& experiment) {
  return {{"id", experiment.id}, {"name", experiment.name}, {"created_at", experiment.created_at}};
}

json to_json(const tracking::TrackingRunInfo& run) {
  json out = {{"id", run.id},
              {"experiment", run.experiment},
              {"experiment_id", run.experiment_id},
              {"name", run.name},
              {"status", to_string(run.status)},
              {"start_time", time_or_null(run.start_time)},
              {"end_time", time_or_null(run.end_time)},
              {"params", run.params},
              {"metrics", metrics_json(run.metrics)},
              {"tags", run.tags}};
  out.update(links_json(run.links));
  return out;
}

json to_json(const tracking::Metric& metric) {
  return {{"key", metric.key},
          {"value", number_or_null(metric.value)},
          {"step", metric.step},
          {"timestamp", metric.timestamp}};
}

json to_json(const tracking::Artifact& artifact) {
  return {{"path", artifact.path},
          {"size", artifact.size},
          {"sha256", artifact.sha256},
          {"logged_at", artifact.logged_at}};
}

json to_json(const tracking::RegisteredModel& model) {
  return {
      {"name", model.name},
      {"description", model.description},
      {"created_at", model.created_at},
      {"updated_at", model.updated_at},
      {"latest_version", model.latest_version == 0 ? json(nullptr) : json(model.latest_version)},
      {"aliases", model.aliases}};
}

json to_json(const tracking::ModelVersion& version) {
  json out = {{"model", version.model},
              {"version", version.version},
              {"status", to_string(version.status)},
              {"tracking_run_id", text_or_null(version.tracking_run_id)},
              {"artifact_path", version.artifact_path},
              {"flavor", version.flavor},
              {"metrics", metrics_json(version.metrics)},
              {"description", version.description},
              {"created_at", version.created_at},
              {"aliases", version.aliases}};
  out.update(links_json(version.links));
  return out;
}

json to_json(const tracking::AliasEvent& event) {
  const auto version_or_null = [](std::int64_t v) { return v == 0 ? json(nullptr) : json(v); };
  return {{"model", event.model},
          {"alias", event.alias},
          {"from_version", version_or_null(event.from_version)},
          {"to_version", version_or_null(event.to_version)},
          {"archived_version", version_or_null(event.archived_version)},
          {"timestamp", event.timestamp},
          {"reason", event.reason}};
}

std::string tracking_run_duration(const tracking::TrackingRunInfo& run) {
  if (run.status == tracking::TrackingRunStatus::kRunning) return "running";
  return format_duration(run.end_time - run.start_time);
}

void print_tracking_runs(std::ostream& out, const std::vector<tracking::TrackingRunInfo>& runs) {
  constexpr std::size_t kMaxMetricsChars = 60;
  std::vector<std::vector<std::string>> rows;
  for (const auto& run : runs) {
    std::string metrics;
    for (const auto& [key, value] : run.metrics) {
      metrics += (metrics.empty() ? "" : ", ") + key + "=" + format_metric(value);
    }
    if (metrics.size() > kMaxMetricsChars)
      metrics = metrics.substr(0, kMaxMetricsChars - 3) + "...";
    rows.push_back({run.id.substr(0, 8), run.experiment, run.name.empty() ? "-" : run.name,
                    std::string(to_string(run.status)), format_timestamp(run.start_time),
                    tracking_run_duration(run),
                    run.links.run_id.empty() ? "-" : run.links.run_id.substr(0, 8), metrics});
  }
  print_table(
      out,
      {"TRACKING RUN", "EXPERIMENT", "NAME", "STATUS", "STARTED", "DURATION", "RUN", "METRICS"},
      rows);
}

std::string format_metric(double value) {
  return fmt::format("{:.6g}", value);
}

std::string format_version(std::int64_t version) {
  return version == 0 ? "-" : "v" + std::to_string(version);
}

}  // namespace cairn
