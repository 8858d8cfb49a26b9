#include <charconv>
#include <cmath>

#include "cairn/tracking.hpp"
#include "tracking/artifact_files.hpp"
#include "tracking/names.hpp"
#include "tracking/tracking_backend.hpp"

namespace cairn::tracking {

TrackingRun::TrackingRun(std::shared_ptr<TrackingBackend> backend, std::string id,
                         std::int64_t experiment_id, std::string experiment)
    : backend_(std::move(backend)),
      id_(std::move(id)),
      experiment_id_(experiment_id),
      experiment_(std::move(experiment)) {}

std::string TrackingRun::format_number(double value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

void TrackingRun::log_param(std::string_view key, std::string_view value) {
  check_key("param", key);
  backend_->store().log_params(id_, {{std::string(key), std::string(value)}});
}

void TrackingRun::log_params(const std::map<std::string, std::string>& params) {
  for (const auto& [key, value] : params) check_key("param", key);
  backend_->store().log_params(id_, params);
}

void TrackingRun::log_metric(std::string_view key, double value, std::int64_t step) {
  log_metrics({Metric{std::string(key), value, step, 0}});
}

void TrackingRun::log_metrics(const std::map<std::string, double>& metrics, std::int64_t step) {
  std::vector<Metric> batch;
  batch.reserve(metrics.size());
  for (const auto& [key, value] : metrics) batch.push_back({key, value, step, 0});
  log_metrics(batch);
}

void TrackingRun::log_metrics(const std::vector<Metric>& metrics) {
  const double now = TrackingBackend::now();
  std::vector<Metric> batch = metrics;
  for (Metric& metric : batch) {
    check_key("metric", metric.key);
    if (metric.timestamp == 0) metric.timestamp = now;
  }
  backend_->store().log_metrics(id_, batch);
}

void TrackingRun::log_metric_series(std::string_view key, const std::vector<double>& values,
                                    std::int64_t first_step) {
  check_key("metric", key);
  const double now = TrackingBackend::now();
  std::vector<Metric> batch;
  batch.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    batch.push_back({std::string(key), values[i], first_step + static_cast<std::int64_t>(i), now});
  }
  backend_->store().log_metrics(id_, batch);
}

std::vector<Metric> TrackingRun::metric_history(std::string_view key) const {
  return backend_->store().metric_history(id_, key);
}

void TrackingRun::set_tag(std::string_view key, std::string_view value) {
  set_tags({{std::string(key), std::string(value)}});
}

void TrackingRun::set_tags(const std::map<std::string, std::string>& tags) {
  for (const auto& [key, value] : tags) check_key("tag", key);
  backend_->store().set_tags(id_, tags);
}

namespace {

/// Records a file already written under the artifact root; removes it if recording fails, so
/// that a refused artifact leaves no file behind.
Artifact record_artifact(TrackingBackend& backend, const std::string& run_id,
                         const std::filesystem::path& file, std::string_view path,
                         const WrittenFile& written) {
  Artifact artifact{std::string(path), written.size, written.sha256, TrackingBackend::now()};
  try {
    backend.store().add_artifact(run_id, artifact);
  } catch (...) {
    remove_artifact_file(file);
    throw;
  }
  return artifact;
}

}  // namespace

Artifact TrackingRun::log_artifact(std::string_view local_file, std::string_view destination) {
  const std::filesystem::path source(local_file);
  const std::string path =
      destination.empty() ? source.filename().string() : std::string(destination);
  check_artifact_path(path);
  const std::filesystem::path file =
      backend_->artifact_root() / run_artifact_dir(experiment_id_, id_) / path;
  return record_artifact(*backend_, id_, file, path, copy_file_exclusively(source, file));
}

Artifact TrackingRun::log_text(std::string_view destination, std::string_view content) {
  check_artifact_path(destination);
  const std::filesystem::path file =
      backend_->artifact_root() / run_artifact_dir(experiment_id_, id_) / destination;
  return record_artifact(*backend_, id_, file, destination, write_file_exclusively(content, file));
}

std::vector<Artifact> TrackingRun::list_artifacts() const {
  return backend_->store().list_artifacts(id_);
}

std::string TrackingRun::artifact_file(std::string_view path) const {
  for (const Artifact& artifact : list_artifacts()) {
    if (artifact.path == path) {
      return (backend_->artifact_root() / run_artifact_dir(experiment_id_, id_) / artifact.path)
          .string();
    }
  }
  throw NotFoundError("tracking run " + id_ + " has no artifact '" + std::string(path) +
                      "'; `tracking runs show " + id_ + "` lists its artifacts");
}

TrackingRunInfo TrackingRun::info() const {
  std::optional<TrackingRunInfo> run = backend_->store().get_tracking_run(id_);
  if (!run) throw NotFoundError("tracking run " + id_ + " no longer exists");
  return std::move(*run);
}

bool TrackingRun::finish(TrackingRunStatus status) {
  if (status == TrackingRunStatus::kRunning) {
    throw TrackingError("tracking run " + id_ +
                        " cannot be finished as RUNNING; use FINISHED, FAILED or KILLED");
  }
  return backend_->store().end_tracking_run(id_, status, TrackingBackend::now());
}

}  // namespace cairn::tracking
