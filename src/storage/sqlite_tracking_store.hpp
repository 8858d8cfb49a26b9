#pragma once
// TrackingStore in the instance's SQLite database (tables: docs/storage.md, migration 2). It is
// a part of SqliteStorage rather than a second connection: it takes SqliteStorage's mutex and
// uses its statement cache and transactions, so tracking writes and event writes of one process
// are serialized like any two writes, and a transaction never waits on another connection of
// the same process.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/tracking_store.hpp"

namespace cairn {

class SqliteStorage;

/// Thread safety: as SqliteStorage (every method may be called from any thread).
class SqliteTrackingStore final : public TrackingStore {
 public:
  /// `storage` owns this store and outlives it.
  explicit SqliteTrackingStore(SqliteStorage& storage) : storage_(storage) {}

  tracking::Experiment get_or_create_experiment(std::string_view name, double now) override;
  std::optional<tracking::Experiment> find_experiment(std::string_view name) override;
  std::vector<tracking::Experiment> list_experiments() override;

  void add_tracking_run(const NewTrackingRun& run) override;
  std::optional<tracking::TrackingRunInfo> get_tracking_run(std::string_view id) override;
  std::vector<std::string> find_tracking_run_ids(std::string_view prefix, int limit) override;
  std::vector<tracking::TrackingRunInfo> search_tracking_runs(const RunSearch& search) override;
  bool end_tracking_run(std::string_view id, tracking::TrackingRunStatus status,
                        double end_time) override;
  std::vector<std::string> end_tracking_runs_of_run(std::string_view run_id,
                                                    tracking::TrackingRunStatus status,
                                                    double end_time) override;
  void log_params(std::string_view id, const std::map<std::string, std::string>& params) override;
  void log_metrics(std::string_view id, const std::vector<tracking::Metric>& metrics) override;
  void set_tags(std::string_view id, const std::map<std::string, std::string>& tags) override;
  std::vector<tracking::Metric> metric_history(std::string_view id, std::string_view key) override;
  void add_artifact(std::string_view id, const tracking::Artifact& artifact) override;
  std::vector<tracking::Artifact> list_artifacts(std::string_view id) override;

  tracking::RegisteredModel register_model(std::string_view name, std::string_view description,
                                           double now) override;
  std::optional<tracking::RegisteredModel> find_model(std::string_view name) override;
  std::vector<tracking::RegisteredModel> list_models() override;
  std::int64_t reserve_model_version(std::string_view model) override;
  void add_model_version(const tracking::ModelVersion& version) override;
  std::optional<tracking::ModelVersion> find_model_version(std::string_view model,
                                                           std::int64_t version) override;
  std::vector<tracking::ModelVersion> list_model_versions(std::string_view model) override;
  tracking::AliasEvent move_alias(std::string_view model, std::string_view alias,
                                  std::int64_t version, bool archive_previous,
                                  std::string_view reason, double now) override;
  void remove_alias(std::string_view model, std::string_view alias, std::string_view reason,
                    double now) override;
  void archive_model_version(std::string_view model, std::int64_t version) override;
  void delete_model_version(std::string_view model, std::int64_t version) override;
  std::vector<tracking::AliasEvent> alias_history(std::string_view model,
                                                  std::string_view alias) override;

 private:
  /// Archiving and deleting, one transaction: the version must exist and no alias may point to
  /// it; then `sql` runs with the model's id as ?1 and the version as ?2.
  void retire_model_version(std::string_view model, std::int64_t version, std::string_view verb,
                            std::string_view doing, std::string_view sql);

  // Each helper below requires the storage's mutex and runs inside the caller's transaction, if
  // any.

  /// The seq of tracking run `id`; NotFoundError if there is none.
  std::int64_t run_seq(std::string_view id, std::string_view doing);
  /// The seq of tracking run `id`; TrackingError unless it is RUNNING.
  std::int64_t running_run_seq(std::string_view id, std::string_view doing);
  /// Params, latest metrics and tags of the run with `seq`.
  void read_details(std::int64_t seq, tracking::TrackingRunInfo& run);
  /// The id of model `name`; NotFoundError if there is none.
  std::int64_t model_id(std::string_view name, std::string_view doing);
  tracking::RegisteredModel read_model(std::int64_t id, std::string_view doing);
  /// NotFoundError naming the versions that exist if `version` is not one of them.
  void check_version_exists(std::int64_t model_id, std::string_view model, std::int64_t version,
                            std::string_view doing);
  /// TrackingError if an alias points to the version; `refused` says what was refused.
  void check_not_aliased(std::int64_t model_id, std::string_view model, std::int64_t version,
                         std::string_view refused, std::string_view doing);
  std::vector<std::string> aliases_of(std::int64_t model_id, std::int64_t version,
                                      std::string_view doing);

  SqliteStorage& storage_;
};

}  // namespace cairn
