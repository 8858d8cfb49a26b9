#pragma once
/// @file model_registry.hpp
/// The model registry, stored in the instance (docs/tracking.md): registered models, their
/// numbered versions (model file in its native format, flavor, metrics snapshot, the tracking
/// run and the asset materialization that produced it), and aliases such as `production` whose
/// every move is recorded.
///
/// The seeds' evaluate-and-branch, in an asset:
/// @code
///   auto& registry = ctx.model_registry();
///   auto decision = registry.compare_to_alias("credit-scorer", "production", "auc", auc, 0.005);
///   ctx.log_info(decision.reason);
///   if (decision.promote) {
///     auto version = registry.create_version(
///         "credit-scorer", {.tracking_run_id = ctx.tracking().id(),
///                           .run_artifact = "model/model.ubj",
///                           .flavor = "xgboost/ubj",
///                           .metrics = {{"auc", auc}}});
///     registry.promote("credit-scorer", version.version, "production", decision.reason);
///   }
/// @endcode

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cairn/tracking.hpp"

namespace cairn::tracking {

enum class ModelVersionStatus { kActive, kArchived };

/// "ACTIVE", "ARCHIVED".
std::string_view to_string(ModelVersionStatus status);
std::optional<ModelVersionStatus> model_version_status_from_string(std::string_view text);

struct RegisteredModel {
  std::int64_t id = 0;
  std::string name{};
  std::string description{};
  double created_at = 0;
  double updated_at = 0;                          ///< last new version or alias move
  std::int64_t latest_version = 0;                ///< highest version number; 0 when it has none
  std::map<std::string, std::int64_t> aliases{};  ///< alias -> version
};

struct ModelVersion {
  std::string model{};
  std::int64_t version = 0;  ///< 1, 2, ... per model, never reused
  ModelVersionStatus status = ModelVersionStatus::kActive;
  std::string tracking_run_id{};  ///< the tracking run that trained it, or empty
  /// The model file, relative to the instance's artifact root (ModelRegistry::artifact_file()
  /// gives the absolute path).
  std::string artifact_path{};
  std::string flavor{};  ///< how to load the file: "xgboost/ubj", "xgboost/json", "cairn-linear"
  std::map<std::string, double> metrics{};  ///< snapshot taken when the version was created
  RunLinks links{};  ///< the orchestration run and asset (partition) that produced it
  std::string description{};
  double created_at = 0;
  std::vector<std::string> aliases{};  ///< aliases pointing to it, sorted
};

/// What create_version() registers. The model file is either an artifact the tracking run
/// already logged (`run_artifact`, referenced, not copied) or a local `file`, copied under the
/// artifact root; exactly one of the two.
struct NewModelVersion {
  std::string tracking_run_id{};  ///< may be a unique prefix; empty: no source tracking run
  std::string run_artifact{};     ///< an artifact path of that tracking run
  std::string file{};             ///< or a local model file
  std::string flavor{};           ///< required
  /// Empty: the latest metrics of the tracking run.
  std::map<std::string, double> metrics{};
  /// Empty: the links of the tracking run.
  RunLinks links{};
  std::string description{};
};

/// One move of an alias, as recorded.
struct AliasEvent {
  std::string model{};
  std::string alias{};
  std::int64_t from_version = 0;      ///< 0: the alias was not set
  std::int64_t to_version = 0;        ///< 0: the alias was removed
  std::int64_t archived_version = 0;  ///< the previous holder archived by this move, 0: none
  double timestamp = 0;
  std::string reason{};
};

enum class Goal { kMaximize, kMinimize };

/// The answer of compare_to_alias(): whether the candidate should take the alias, and why, in
/// words fit for a log line ("auc 0.7412 beats production v3 (0.731) by 0.0102 >= 0.005").
struct PromotionDecision {
  bool promote = false;
  std::string reason{};
  std::int64_t current_version = 0;  ///< the alias holder compared against; 0: none
  std::optional<double> current_value{};
};

/// Registered models, versions and aliases of one instance.
///
/// Thread safety: every method may be called from any thread. Each change is one transaction:
/// on any error nothing is stored. Unknown models, versions and aliases are NotFoundError;
/// malformed requests TrackingError; an unusable instance StorageError.
class ModelRegistry {
 public:
  /// Opens (creating it if needed) the instance at `home` (empty: `$CAIRN_HOME`, else
  /// `./.cairn`).
  ///
  /// @code
  ///   auto registry = cairn::tracking::ModelRegistry::open(".cairn");
  ///   auto production = registry.get_by_alias("credit-scorer", "production");
  ///   load_xgboost(registry.artifact_file(production));
  /// @endcode
  static ModelRegistry open(std::string_view home);

  /// Internal: a registry over a store that its owner already opened.
  explicit ModelRegistry(std::shared_ptr<TrackingBackend> backend);

  /// Registers `name`, or returns it if it exists (then a non-empty `description` replaces the
  /// old one). Throws TrackingError if `name` is empty or has control characters.
  RegisteredModel register_model(std::string_view name, std::string_view description = "");
  /// Throws NotFoundError, listing similar names.
  RegisteredModel get_model(std::string_view name) const;
  /// Sorted by name.
  std::vector<RegisteredModel> list_models() const;

  /// Adds the next version of `model` (registered first if needed) as ACTIVE. Throws
  /// TrackingError if the flavor is empty, both or neither of `run_artifact` and `file` are
  /// given, or `run_artifact` is not an artifact of the tracking run; NotFoundError for an
  /// unknown tracking run; Error if `file` cannot be read. A version number is never reused; a
  /// failure while the file is copied leaves a gap in the numbers but no version.
  ModelVersion create_version(std::string_view model, const NewModelVersion& spec);
  ModelVersion get_version(std::string_view model, std::int64_t version) const;
  /// Every version, oldest first.
  std::vector<ModelVersion> list_versions(std::string_view model) const;
  /// The highest ACTIVE version, if any.
  std::optional<ModelVersion> latest_version(std::string_view model) const;

  /// Points `alias` at `version` and archives the version that held it before, unless another
  /// alias still points to that one; in one transaction, recorded in the alias history with
  /// `reason`. Promoting an archived version makes it ACTIVE again (a rollback). Promoting the
  /// current holder changes nothing and records nothing. Throws NotFoundError naming the model
  /// and version (and the versions that exist) if there is no such version.
  ///
  /// @code
  ///   registry.promote("credit-scorer", 4, "production", "auc 0.7412 beats v3 by 0.0102");
  /// @endcode
  AliasEvent promote(std::string_view model, std::int64_t version, std::string_view alias,
                     std::string_view reason = "");
  /// Like promote() but leaves the previous holder as it is (for `staging`, `challenger`).
  AliasEvent set_alias(std::string_view model, std::int64_t version, std::string_view alias,
                       std::string_view reason = "");
  /// Removes an alias (recorded in the history). Throws NotFoundError if it is not set.
  void remove_alias(std::string_view model, std::string_view alias, std::string_view reason = "");
  /// The version `alias` points to. Throws NotFoundError, saying how to set it, if none does.
  ModelVersion get_by_alias(std::string_view model, std::string_view alias) const;
  /// Every move of `alias` (of every alias when empty), oldest first.
  std::vector<AliasEvent> alias_history(std::string_view model, std::string_view alias = "") const;

  /// Marks a version ARCHIVED. Throws TrackingError if an alias points to it (promote another
  /// version first, or remove the alias).
  void archive(std::string_view model, std::int64_t version);
  /// Deletes a version's record, and its model file when it was copied for the version (a
  /// tracking run's artifact stays with its run). Throws TrackingError if an alias points to it.
  void delete_version(std::string_view model, std::int64_t version);

  /// Compares a candidate's `metric` with the value recorded for the version holding `alias`
  /// (its metrics snapshot, else its tracking run's latest metrics): promote when the candidate
  /// is better by at least `min_improvement` (up to rounding: 0.736 - 0.731 counts as 0.005).
  /// When nothing holds the alias (or the model does not exist yet), promote is true. Throws
  /// TrackingError if the holder has no value for `metric`, or `candidate_value` is NaN.
  PromotionDecision compare_to_alias(std::string_view model, std::string_view alias,
                                     std::string_view metric, double candidate_value,
                                     double min_improvement, Goal goal = Goal::kMaximize) const;

  /// The absolute path of a version's model file.
  std::string artifact_file(const ModelVersion& version) const;

 private:
  AliasEvent move_alias(std::string_view model, std::int64_t version, std::string_view alias,
                        std::string_view reason, bool archive_previous);

  std::shared_ptr<TrackingBackend> backend_;
};

}  // namespace cairn::tracking
