#include "cairn/model_registry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/suggest.hpp"
#include "tracking/artifact_files.hpp"
#include "tracking/names.hpp"
#include "tracking/tracking_backend.hpp"

namespace cairn::tracking {

namespace {

// Where a copied model file goes, relative to the artifact root (artifact_files.hpp).
std::filesystem::path model_file_dir(std::int64_t model_id, std::int64_t version) {
  return std::filesystem::path("models") / std::to_string(model_id) /
         ("v" + std::to_string(version));
}

bool is_copied_model_file(const std::string& artifact_path) {
  return artifact_path.starts_with("models/");
}

/// Six significant digits: what a log line needs to show a metric and a difference.
std::string format_value(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

bool links_empty(const RunLinks& links) {
  return links.run_id.empty() && links.asset_key.empty() && links.partition_key.empty();
}

}  // namespace

ModelRegistry ModelRegistry::open(std::string_view home) {
  return ModelRegistry(open_instance(home));
}

ModelRegistry::ModelRegistry(std::shared_ptr<TrackingBackend> backend)
    : backend_(std::move(backend)) {}

RegisteredModel ModelRegistry::register_model(std::string_view name, std::string_view description) {
  check_name("model", name);
  return backend_->store().register_model(name, description, TrackingBackend::now());
}

RegisteredModel ModelRegistry::get_model(std::string_view name) const {
  if (auto model = backend_->store().find_model(name)) return std::move(*model);
  std::vector<std::string> names;
  for (const RegisteredModel& model : backend_->store().list_models()) names.push_back(model.name);
  throw NotFoundError("no registered model '" + std::string(name) + "'" +
                      did_you_mean(name, names) +
                      "; `models list` shows the registered models of this instance");
}

std::vector<RegisteredModel> ModelRegistry::list_models() const {
  return backend_->store().list_models();
}

ModelVersion ModelRegistry::create_version(std::string_view model, const NewModelVersion& spec) {
  check_name("model", model);
  const std::string what = "a version of model '" + std::string(model) + "'";
  if (spec.flavor.empty()) {
    throw TrackingError(what +
                        " needs a flavor saying how to load its file, such as "
                        "\"xgboost/ubj\"");
  }
  if (spec.run_artifact.empty() == spec.file.empty()) {
    throw TrackingError(what +
                        " needs exactly one model file: `run_artifact` (an artifact of "
                        "its tracking run) or `file` (a local file to copy)");
  }
  TrackingStore& store = backend_->store();
  ModelVersion version;
  version.model = std::string(model);
  version.flavor = spec.flavor;
  version.description = spec.description;
  version.metrics = spec.metrics;
  version.links = spec.links;
  if (!spec.tracking_run_id.empty()) {
    const TrackingRunInfo run = Tracker(backend_).get_run(spec.tracking_run_id);
    version.tracking_run_id = run.id;
    if (version.metrics.empty()) version.metrics = run.metrics;
    if (links_empty(version.links)) version.links = run.links;
    if (!spec.run_artifact.empty()) {
      check_artifact_path(spec.run_artifact);
      bool found = false;
      std::string listed;
      for (const Artifact& artifact : store.list_artifacts(run.id)) {
        found = found || artifact.path == spec.run_artifact;
        listed += (listed.empty() ? "" : ", ") + artifact.path;
      }
      if (!found) {
        throw TrackingError("tracking run " + run.id + " has no artifact '" + spec.run_artifact +
                            "' (" + (listed.empty() ? "it has none" : "it has: " + listed) +
                            "); log the model file with log_artifact() first");
      }
      version.artifact_path =
          (run_artifact_dir(run.experiment_id, run.id) / spec.run_artifact).string();
    }
  } else if (!spec.run_artifact.empty()) {
    throw TrackingError(what + " names the run artifact '" + spec.run_artifact +
                        "' but no tracking_run_id to find it in");
  }
  const std::filesystem::path source(spec.file);
  if (!spec.file.empty()) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(source, error)) {
      throw Error("cannot register '" + spec.file + "' as " + what +
                  ": it is not a readable regular file");
    }
  }

  const RegisteredModel registered = register_model(model);
  version.version = store.reserve_model_version(model);
  version.created_at = TrackingBackend::now();
  std::filesystem::path copied;
  if (!spec.file.empty()) {
    const std::filesystem::path relative =
        model_file_dir(registered.id, version.version) / source.filename();
    copied = backend_->artifact_root() / relative;
    copy_file_exclusively(source, copied);
    version.artifact_path = relative.string();
  }
  try {
    store.add_model_version(version);
  } catch (...) {
    if (!copied.empty()) remove_artifact_file(copied);
    throw;
  }
  return get_version(model, version.version);
}

ModelVersion ModelRegistry::get_version(std::string_view model, std::int64_t version) const {
  if (auto found = backend_->store().find_model_version(model, version)) return std::move(*found);
  get_model(model);  // an unknown model is named as such
  std::string existing;
  for (const ModelVersion& v : backend_->store().list_model_versions(model)) {
    existing += (existing.empty() ? "" : ", ") + std::to_string(v.version);
  }
  throw NotFoundError(
      "model '" + std::string(model) + "' has no version " + std::to_string(version) +
      (existing.empty() ? " (it has no versions yet)" : " (its versions: " + existing + ")"));
}

std::vector<ModelVersion> ModelRegistry::list_versions(std::string_view model) const {
  get_model(model);
  return backend_->store().list_model_versions(model);
}

std::optional<ModelVersion> ModelRegistry::latest_version(std::string_view model) const {
  std::vector<ModelVersion> versions = list_versions(model);
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    if (it->status == ModelVersionStatus::kActive) return std::move(*it);
  }
  return std::nullopt;
}

AliasEvent ModelRegistry::move_alias(std::string_view model, std::int64_t version,
                                     std::string_view alias, std::string_view reason,
                                     bool archive_previous) {
  check_alias(alias);
  get_model(model);
  return backend_->store().move_alias(model, alias, version, archive_previous, reason,
                                      TrackingBackend::now());
}

AliasEvent ModelRegistry::promote(std::string_view model, std::int64_t version,
                                  std::string_view alias, std::string_view reason) {
  return move_alias(model, version, alias, reason, /*archive_previous=*/true);
}

AliasEvent ModelRegistry::set_alias(std::string_view model, std::int64_t version,
                                    std::string_view alias, std::string_view reason) {
  return move_alias(model, version, alias, reason, /*archive_previous=*/false);
}

void ModelRegistry::remove_alias(std::string_view model, std::string_view alias,
                                 std::string_view reason) {
  get_model(model);
  backend_->store().remove_alias(model, alias, reason, TrackingBackend::now());
}

ModelVersion ModelRegistry::get_by_alias(std::string_view model, std::string_view alias) const {
  const RegisteredModel registered = get_model(model);
  const auto holder = registered.aliases.find(std::string(alias));
  if (holder == registered.aliases.end()) {
    throw NotFoundError("no version of model '" + std::string(model) + "' holds alias '" +
                        std::string(alias) + "'; promote one with `models promote " +
                        std::string(model) + " VERSION --alias " + std::string(alias) + "`");
  }
  return get_version(model, holder->second);
}

std::vector<AliasEvent> ModelRegistry::alias_history(std::string_view model,
                                                     std::string_view alias) const {
  get_model(model);
  return backend_->store().alias_history(model, alias);
}

void ModelRegistry::archive(std::string_view model, std::int64_t version) {
  get_version(model, version);
  backend_->store().archive_model_version(model, version);
}

void ModelRegistry::delete_version(std::string_view model, std::int64_t version) {
  const ModelVersion doomed = get_version(model, version);
  backend_->store().delete_model_version(model, version);
  if (is_copied_model_file(doomed.artifact_path)) {
    remove_artifact_file(backend_->artifact_root() / doomed.artifact_path);
  }
}

PromotionDecision ModelRegistry::compare_to_alias(std::string_view model, std::string_view alias,
                                                  std::string_view metric, double candidate_value,
                                                  double min_improvement, Goal goal) const {
  const std::string name(metric);
  if (std::isnan(candidate_value)) {
    throw TrackingError("the candidate's " + name + " is NaN; a model with an undefined " + name +
                        " cannot be compared with " + std::string(alias));
  }
  PromotionDecision decision;
  std::int64_t holder = 0;
  if (const auto registered = backend_->store().find_model(model)) {
    if (auto it = registered->aliases.find(std::string(alias)); it != registered->aliases.end()) {
      holder = it->second;
    }
  }
  if (holder == 0) {
    decision.promote = true;
    decision.reason = "no version of model '" + std::string(model) + "' holds alias '" +
                      std::string(alias) + "' yet";
    return decision;
  }
  const ModelVersion current = get_version(model, holder);
  decision.current_version = current.version;
  std::optional<double> value;
  if (auto it = current.metrics.find(name); it != current.metrics.end()) {
    value = it->second;
  } else if (!current.tracking_run_id.empty()) {
    const TrackingRunInfo run = Tracker(backend_).get_run(current.tracking_run_id);
    if (auto m = run.metrics.find(name); m != run.metrics.end()) value = m->second;
  }
  const std::string holder_name = std::string(alias) + " v" + std::to_string(current.version) +
                                  " of '" + std::string(model) + "'";
  if (!value) {
    std::string known;
    for (const auto& [key, v] : current.metrics) known += (known.empty() ? "" : ", ") + key;
    throw TrackingError(holder_name + " has no metric '" + name + "' (" +
                        (known.empty() ? "it recorded none" : "it has: " + known) +
                        "); compare on a metric both models recorded");
  }
  decision.current_value = *value;
  const std::string candidate = name + " " + format_value(candidate_value);
  const std::string against = std::string(alias) + " v" + std::to_string(current.version) + " (" +
                              format_value(*value) + ")";
  if (std::isnan(*value)) {
    decision.promote = true;
    decision.reason = candidate + " replaces " + against + ", whose " + name + " is undefined";
    return decision;
  }
  const double improvement =
      goal == Goal::kMaximize ? candidate_value - *value : *value - candidate_value;
  // Differences of rounded decimals are not exact: 0.736 - 0.731 is 0.00499999999999995.
  const double tolerance = 1e-9 * std::max({1.0, std::abs(candidate_value), std::abs(*value)});
  decision.promote = improvement >= min_improvement - tolerance;
  if (decision.promote) {
    decision.reason = candidate + " beats " + against + " by " + format_value(improvement) +
                      " >= " + format_value(min_improvement);
  } else if (improvement > tolerance) {
    decision.reason = candidate + " beats " + against + " by only " + format_value(improvement) +
                      " < " + format_value(min_improvement);
  } else {
    decision.reason = candidate + " does not beat " + against;
  }
  return decision;
}

std::string ModelRegistry::artifact_file(const ModelVersion& version) const {
  return (backend_->artifact_root() / version.artifact_path).string();
}

}  // namespace cairn::tracking
