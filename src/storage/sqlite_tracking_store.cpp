#include "storage/sqlite_tracking_store.hpp"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <variant>

#include "cairn/error.hpp"
#include "storage/sqlite_query.hpp"

namespace cairn {

using tracking::AliasEvent;
using tracking::Artifact;
using tracking::Experiment;
using tracking::Metric;
using tracking::ModelVersion;
using tracking::ModelVersionStatus;
using tracking::RegisteredModel;
using tracking::TrackingError;
using tracking::TrackingRunInfo;
using tracking::TrackingRunStatus;

namespace {

constexpr std::string_view kRunSelect =
    "SELECT r.seq, r.id, r.experiment_id, e.name, r.name, r.status, r.start_time, r.end_time, "
    "r.run_id, r.asset_key, r.partition_key FROM tracking_runs r "
    "JOIN experiments e ON e.id = r.experiment_id ";
constexpr std::string_view kVersionSelect =
    "SELECT m.name, v.version, v.status, v.tracking_run_id, v.artifact_path, v.flavor, "
    "v.metrics_json, v.run_id, v.asset_key, v.partition_key, v.description, v.created_at, "
    "v.model_id FROM model_versions v JOIN registered_models m ON m.id = v.model_id ";
// The latest value of metric ?key of the run `r`: highest step, then latest timestamp, then
// last logged (the index metrics_by_run_key answers it with one seek).
constexpr std::string_view kLatestMetric =
    "(SELECT m.value FROM metrics m WHERE m.run_seq = r.seq AND m.key = ? "
    "ORDER BY m.step DESC, m.timestamp DESC, m.id DESC LIMIT 1)";

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string corrupt(const SqliteStorage& storage, std::string_view what) {
  return "the instance database " + storage.path().string() + " is corrupt: " + std::string(what) +
         "; restore it from a backup or point CAIRN_HOME at another instance directory";
}

std::string in_quotes(std::string_view text) {
  return "'" + std::string(text) + "'";
}

std::string no_tracking_run(std::string_view id) {
  return "no tracking run with id " + in_quotes(id) +
         "; `tracking runs list` shows the tracking runs of this instance";
}

std::string no_model(std::string_view name) {
  return "no registered model " + in_quotes(name) + "; `models list` shows the registered models";
}

std::string version_name(std::string_view model, std::int64_t version) {
  return "version " + std::to_string(version) + " of model " + in_quotes(model);
}

/// A metric value as stored: SQLite has no NaN (it stores NULL for it).
std::optional<double> stored_value(double value) {
  if (std::isnan(value)) return std::nullopt;
  return value;
}

double metric_value(const auto& q, int column) {
  return q.is_null(column) ? kNaN : q.real(column);
}

/// Snapshot metrics as JSON: numbers, and "nan", "inf", "-inf" for what JSON cannot hold.
std::string metrics_to_json(const std::map<std::string, double>& metrics) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [key, value] : metrics) {
    if (std::isnan(value)) {
      json[key] = "nan";
    } else if (std::isinf(value)) {
      json[key] = value > 0 ? "inf" : "-inf";
    } else {
      json[key] = value;
    }
  }
  return json.dump();
}

std::map<std::string, double> metrics_from_json(const SqliteStorage& storage,
                                                const std::string& text) {
  std::map<std::string, double> metrics;
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) throw StorageError(corrupt(storage, "a model version's metrics"));
  for (const auto& [key, value] : json.items()) {
    if (value.is_number()) {
      metrics[key] = value.get<double>();
    } else if (value == "nan") {
      metrics[key] = kNaN;
    } else if (value == "inf" || value == "-inf") {
      metrics[key] = value == "inf" ? std::numeric_limits<double>::infinity()
                                    : -std::numeric_limits<double>::infinity();
    } else {
      throw StorageError(corrupt(storage, "model version metric '" + key + "' is not a number"));
    }
  }
  return metrics;
}

TrackingRunStatus read_run_status(const SqliteStorage& storage, const std::string& text) {
  const auto status = tracking::tracking_run_status_from_string(text);
  if (!status)
    throw StorageError(corrupt(storage, "unknown tracking run status " + in_quotes(text)));
  return *status;
}

ModelVersionStatus read_version_status(const SqliteStorage& storage, const std::string& text) {
  const auto status = tracking::model_version_status_from_string(text);
  if (!status) {
    throw StorageError(corrupt(storage, "unknown model version status " + in_quotes(text)));
  }
  return *status;
}

/// Reads the columns of kRunSelect; returns the run's seq.
std::int64_t read_run(const SqliteStorage& storage, const auto& q, TrackingRunInfo& run) {
  run.id = q.text(1);
  run.experiment_id = q.integer(2);
  run.experiment = q.text(3);
  run.name = q.text(4);
  run.status = read_run_status(storage, q.text(5));
  run.start_time = q.real(6);
  run.end_time = q.real(7);
  run.links.run_id = q.text(8);
  run.links.asset_key = q.text(9);
  run.links.partition_key = q.text(10);
  return q.integer(0);
}

/// Reads the columns of kVersionSelect; returns the model's id.
std::int64_t read_version(const SqliteStorage& storage, const auto& q, ModelVersion& version) {
  version.model = q.text(0);
  version.version = q.integer(1);
  version.status = read_version_status(storage, q.text(2));
  version.tracking_run_id = q.text(3);
  version.artifact_path = q.text(4);
  version.flavor = q.text(5);
  version.metrics = metrics_from_json(storage, q.text(6));
  version.links.run_id = q.text(7);
  version.links.asset_key = q.text(8);
  version.links.partition_key = q.text(9);
  version.description = q.text(10);
  version.created_at = q.real(11);
  return q.integer(12);
}

AliasEvent read_alias_event(const auto& q) {
  AliasEvent event;
  event.model = q.text(0);
  event.alias = q.text(1);
  event.from_version = q.integer(2);
  event.to_version = q.integer(3);
  event.archived_version = q.integer(4);
  event.timestamp = q.real(5);
  event.reason = q.text(6);
  return event;
}

std::string_view sql_operator(Comparison op) {
  switch (op) {
    case Comparison::kEqual:
      return "=";
    case Comparison::kNotEqual:
      return "<>";
    case Comparison::kLess:
      return "<";
    case Comparison::kLessEqual:
      return "<=";
    case Comparison::kGreater:
      return ">";
    case Comparison::kGreaterEqual:
      return ">=";
  }
  return "=";
}

/// The column a text or time field compares; empty for metrics, params and tags.
std::string_view column_of(RunField field) {
  switch (field) {
    case RunField::kStatus:
      return "r.status";
    case RunField::kName:
      return "r.name";
    case RunField::kAssetKey:
      return "r.asset_key";
    case RunField::kPartitionKey:
      return "r.partition_key";
    case RunField::kRunId:
      return "r.run_id";
    case RunField::kStartTime:
      return "r.start_time";
    case RunField::kEndTime:
      return "r.end_time";
    case RunField::kMetric:
    case RunField::kParam:
    case RunField::kTag:
      break;
  }
  return "";
}

using Binding = std::variant<std::string, double, std::int64_t>;

/// The SQL expression giving a run's value of (field, key), with its bindings appended.
std::string value_expression(RunField field, const std::string& key,
                             std::vector<Binding>& bindings) {
  switch (field) {
    case RunField::kMetric:
      bindings.emplace_back(key);
      return std::string(kLatestMetric);
    case RunField::kParam:
    case RunField::kTag:
      bindings.emplace_back(key);
      return std::string("(SELECT x.value FROM ") +
             (field == RunField::kParam ? "params" : "tags") +
             " x WHERE x.run_seq = r.seq AND x.key = ?)";
    default:
      return std::string(column_of(field));
  }
}

}  // namespace

// ---- helpers --------------------------------------------------------------------------------

std::int64_t SqliteTrackingStore::run_seq(std::string_view id, std::string_view doing) {
  SqliteStorage::Query q(storage_, "SELECT seq FROM tracking_runs WHERE id = ?", doing);
  if (!q.text(1, id).step()) throw NotFoundError(no_tracking_run(id));
  return q.integer(0);
}

std::int64_t SqliteTrackingStore::running_run_seq(std::string_view id, std::string_view doing) {
  SqliteStorage::Query q(storage_, "SELECT seq, status FROM tracking_runs WHERE id = ?", doing);
  if (!q.text(1, id).step()) throw NotFoundError(no_tracking_run(id));
  const std::string status = q.text(1);
  if (read_run_status(storage_, status) != TrackingRunStatus::kRunning) {
    throw TrackingError("tracking run " + std::string(id) + " is " + status + ": " +
                        std::string(doing) +
                        " is only possible while it is RUNNING; start a new tracking run");
  }
  return q.integer(0);
}

void SqliteTrackingStore::read_details(std::int64_t seq, TrackingRunInfo& run) {
  constexpr std::string_view kDoing = "reading a tracking run";
  {
    SqliteStorage::Query q(storage_, "SELECT key, value FROM params WHERE run_seq = ?", kDoing);
    q.integer(1, seq);
    while (q.step()) run.params.emplace(q.text(0), q.text(1));
  }
  {
    SqliteStorage::Query q(storage_, "SELECT key, value FROM tags WHERE run_seq = ?", kDoing);
    q.integer(1, seq);
    while (q.step()) run.tags.emplace(q.text(0), q.text(1));
  }
  SqliteStorage::Query q(storage_,
                         "SELECT key, value FROM (SELECT key, value, row_number() OVER "
                         "(PARTITION BY key ORDER BY step DESC, timestamp DESC, id DESC) AS rank "
                         "FROM metrics WHERE run_seq = ?) WHERE rank = 1",
                         kDoing);
  q.integer(1, seq);
  while (q.step()) run.metrics.emplace(q.text(0), metric_value(q, 1));
}

std::int64_t SqliteTrackingStore::model_id(std::string_view name, std::string_view doing) {
  SqliteStorage::Query q(storage_, "SELECT id FROM registered_models WHERE name = ?", doing);
  if (!q.text(1, name).step()) throw NotFoundError(no_model(name));
  return q.integer(0);
}

RegisteredModel SqliteTrackingStore::read_model(std::int64_t id, std::string_view doing) {
  RegisteredModel model;
  {
    SqliteStorage::Query q(storage_,
                           "SELECT m.id, m.name, m.description, m.created_at, m.updated_at, "
                           "(SELECT coalesce(max(v.version), 0) FROM model_versions v "
                           "WHERE v.model_id = m.id) FROM registered_models m WHERE m.id = ?",
                           doing);
    if (!q.integer(1, id).step()) {
      throw StorageError(corrupt(storage_, "model " + std::to_string(id) + " vanished"));
    }
    model.id = q.integer(0);
    model.name = q.text(1);
    model.description = q.text(2);
    model.created_at = q.real(3);
    model.updated_at = q.real(4);
    model.latest_version = q.integer(5);
  }
  SqliteStorage::Query q(storage_, "SELECT alias, version FROM model_aliases WHERE model_id = ?",
                         doing);
  q.integer(1, id);
  while (q.step()) model.aliases.emplace(q.text(0), q.integer(1));
  return model;
}

void SqliteTrackingStore::check_version_exists(std::int64_t model_id, std::string_view model,
                                               std::int64_t version, std::string_view doing) {
  SqliteStorage::Query q(
      storage_, "SELECT version FROM model_versions WHERE model_id = ? ORDER BY version", doing);
  q.integer(1, model_id);
  std::string existing;
  while (q.step()) {
    if (q.integer(0) == version) return;
    existing += (existing.empty() ? "" : ", ") + std::to_string(q.integer(0));
  }
  throw NotFoundError(
      "model " + in_quotes(model) + " has no version " + std::to_string(version) +
      (existing.empty() ? " (it has no versions yet)" : " (its versions: " + existing + ")") +
      "; `models versions " + std::string(model) + "` lists them");
}

std::vector<std::string> SqliteTrackingStore::aliases_of(std::int64_t model_id,
                                                         std::int64_t version,
                                                         std::string_view doing) {
  SqliteStorage::Query q(
      storage_, "SELECT alias FROM model_aliases WHERE model_id = ? AND version = ? ORDER BY alias",
      doing);
  q.integer(1, model_id).integer(2, version);
  std::vector<std::string> aliases;
  while (q.step()) aliases.push_back(q.text(0));
  return aliases;
}

void SqliteTrackingStore::check_not_aliased(std::int64_t model_id, std::string_view model,
                                            std::int64_t version, std::string_view refused,
                                            std::string_view doing) {
  const std::vector<std::string> aliases = aliases_of(model_id, version, doing);
  if (aliases.empty()) return;
  throw TrackingError("cannot " + std::string(refused) + " " + version_name(model, version) +
                      ": alias " + in_quotes(aliases.front()) +
                      " points to it; promote another version to " + in_quotes(aliases.front()) +
                      " first (`models promote " + std::string(model) + " VERSION --alias " +
                      aliases.front() + "`)");
}

// ---- experiments ----------------------------------------------------------------------------

Experiment SqliteTrackingStore::get_or_create_experiment(std::string_view name, double now) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "creating an experiment";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  {
    SqliteStorage::Query insert(storage_,
                                "INSERT INTO experiments (name, created_at) VALUES (?, ?) "
                                "ON CONFLICT (name) DO NOTHING",
                                kDoing);
    insert.text(1, name).real(2, now).step();
  }
  Experiment experiment;
  {
    SqliteStorage::Query q(storage_, "SELECT id, name, created_at FROM experiments WHERE name = ?",
                           kDoing);
    q.text(1, name).step();
    experiment = {q.integer(0), q.text(1), q.real(2)};
  }
  transaction.commit();
  return experiment;
}

std::optional<Experiment> SqliteTrackingStore::find_experiment(std::string_view name) {
  std::lock_guard lock(storage_.mutex_);
  SqliteStorage::Query q(storage_, "SELECT id, name, created_at FROM experiments WHERE name = ?",
                         "reading an experiment");
  if (!q.text(1, name).step()) return std::nullopt;
  return Experiment{q.integer(0), q.text(1), q.real(2)};
}

std::vector<Experiment> SqliteTrackingStore::list_experiments() {
  std::lock_guard lock(storage_.mutex_);
  SqliteStorage::Query q(storage_, "SELECT id, name, created_at FROM experiments ORDER BY name",
                         "listing experiments");
  std::vector<Experiment> experiments;
  while (q.step()) experiments.push_back({q.integer(0), q.text(1), q.real(2)});
  return experiments;
}

// ---- tracking runs --------------------------------------------------------------------------

void SqliteTrackingStore::add_tracking_run(const NewTrackingRun& run) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "adding a tracking run";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  {
    SqliteStorage::Query q(storage_, "SELECT 1 FROM experiments WHERE id = ?", kDoing);
    if (!q.integer(1, run.experiment_id).step()) {
      throw NotFoundError("no experiment with id " + std::to_string(run.experiment_id));
    }
  }
  {
    SqliteStorage::Query q(storage_, "SELECT 1 FROM tracking_runs WHERE id = ?", kDoing);
    if (q.text(1, run.id).step()) {
      throw StorageError("a tracking run with id " + in_quotes(run.id) + " already exists in " +
                         storage_.path().string());
    }
  }
  {
    SqliteStorage::Query insert(
        storage_,
        "INSERT INTO tracking_runs (id, experiment_id, name, status, start_time, end_time, "
        "run_id, asset_key, partition_key) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
        kDoing);
    insert.text(1, run.id)
        .integer(2, run.experiment_id)
        .text(3, run.name)
        .text(4, to_string(TrackingRunStatus::kRunning))
        .real(5, run.start_time)
        .text(6, run.links.run_id)
        .text(7, run.links.asset_key)
        .text(8, run.links.partition_key)
        .step();
  }
  const std::int64_t seq = sqlite3_last_insert_rowid(storage_.db_);
  SqliteStorage::Query tag(storage_, "INSERT INTO tags (run_seq, key, value) VALUES (?, ?, ?)",
                           kDoing);
  for (const auto& [key, value] : run.tags) {
    tag.integer(1, seq).text(2, key).text(3, value).step();
    tag.reset();
  }
  transaction.commit();
}

std::optional<TrackingRunInfo> SqliteTrackingStore::get_tracking_run(std::string_view id) {
  std::lock_guard lock(storage_.mutex_);
  TrackingRunInfo run;
  std::int64_t seq = 0;
  {
    SqliteStorage::Query q(storage_, std::string(kRunSelect) + "WHERE r.id = ?",
                           "reading a tracking run");
    if (!q.text(1, id).step()) return std::nullopt;
    seq = read_run(storage_, q, run);
  }
  read_details(seq, run);
  return run;
}

std::vector<std::string> SqliteTrackingStore::find_tracking_run_ids(std::string_view prefix,
                                                                    int limit) {
  std::lock_guard lock(storage_.mutex_);
  // As SqliteStorage::find_run_ids: the ids with this prefix come first at or after it.
  SqliteStorage::Query q(storage_, "SELECT id FROM tracking_runs WHERE id >= ? ORDER BY id LIMIT ?",
                         "finding tracking run ids");
  q.text(1, prefix).integer(2, limit);
  std::vector<std::string> ids;
  while (q.step()) {
    std::string id = q.text(0);
    if (!id.starts_with(prefix)) break;
    ids.push_back(std::move(id));
  }
  return ids;
}

std::vector<TrackingRunInfo> SqliteTrackingStore::search_tracking_runs(const RunSearch& search) {
  // The SQL text depends on the shape of the search (fields, operators, number of experiments),
  // not on its values, so the statement cache holds one statement per shape used.
  std::vector<Binding> bindings;
  std::string sql = std::string(kRunSelect) + "WHERE 1";
  if (!search.experiment_ids.empty()) {
    sql += " AND r.experiment_id IN (";
    for (std::size_t i = 0; i < search.experiment_ids.size(); ++i) {
      sql += i == 0 ? "?" : ", ?";
      bindings.emplace_back(search.experiment_ids[i]);
    }
    sql += ")";
  }
  for (const RunCondition& condition : search.conditions) {
    const std::string op(sql_operator(condition.op));
    switch (condition.field) {
      case RunField::kMetric:
        sql +=
            " AND " + value_expression(condition.field, condition.key, bindings) + " " + op + " ?";
        bindings.emplace_back(condition.number);
        break;
      case RunField::kParam:
      case RunField::kTag:
        // EXISTS rather than the value expression: a run without the key never matches, even
        // with `!=`.
        sql += std::string(" AND EXISTS (SELECT 1 FROM ") +
               (condition.field == RunField::kParam ? "params" : "tags") +
               " x WHERE x.run_seq = r.seq AND x.key = ? AND x.value " + op + " ?)";
        bindings.emplace_back(condition.key);
        bindings.emplace_back(condition.text);
        break;
      case RunField::kStartTime:
      case RunField::kEndTime:
        sql += " AND " + std::string(column_of(condition.field)) + " " + op + " ?";
        bindings.emplace_back(condition.number);
        break;
      default:
        sql += " AND " + std::string(column_of(condition.field)) + " " + op + " ?";
        bindings.emplace_back(condition.text);
        break;
    }
  }
  sql += " ORDER BY " + value_expression(search.order.field, search.order.key, bindings) +
         (search.order.descending ? " DESC" : " ASC") +
         " NULLS LAST, r.start_time DESC, r.seq DESC LIMIT ? OFFSET ?";
  bindings.emplace_back(static_cast<std::int64_t>(search.limit > 0 ? search.limit : -1));
  bindings.emplace_back(static_cast<std::int64_t>(search.offset));

  std::lock_guard lock(storage_.mutex_);
  std::vector<std::pair<std::int64_t, TrackingRunInfo>> found;
  {
    SqliteStorage::Query q(storage_, sql, "searching tracking runs");
    for (std::size_t i = 0; i < bindings.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      std::visit(
          [&](const auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::string>) {
              q.text(index, value);
            } else if constexpr (std::is_same_v<T, double>) {
              q.real(index, value);
            } else {
              q.integer(index, value);
            }
          },
          bindings[i]);
    }
    while (q.step()) {
      TrackingRunInfo run;
      const std::int64_t seq = read_run(storage_, q, run);
      found.emplace_back(seq, std::move(run));
    }
  }
  std::vector<TrackingRunInfo> runs;
  runs.reserve(found.size());
  for (auto& [seq, run] : found) {
    read_details(seq, run);
    runs.push_back(std::move(run));
  }
  return runs;
}

bool SqliteTrackingStore::end_tracking_run(std::string_view id, TrackingRunStatus status,
                                           double end_time) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "ending a tracking run";
  SqliteStorage::Query q(storage_,
                         "UPDATE tracking_runs SET status = ?, end_time = ? "
                         "WHERE id = ? AND status = 'RUNNING'",
                         kDoing);
  q.text(1, to_string(status)).real(2, end_time).text(3, id).step();
  if (sqlite3_changes(storage_.db_) > 0) return true;
  run_seq(id, kDoing);  // NotFoundError when it does not exist
  return false;
}

std::vector<std::string> SqliteTrackingStore::end_tracking_runs_of_run(std::string_view run_id,
                                                                       TrackingRunStatus status,
                                                                       double end_time) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "ending the tracking runs of a run";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  std::vector<std::string> ids;
  {
    SqliteStorage::Query q(
        storage_,
        "SELECT id FROM tracking_runs WHERE run_id = ? AND status = 'RUNNING' ORDER BY seq",
        kDoing);
    q.text(1, run_id);
    while (q.step()) ids.push_back(q.text(0));
  }
  SqliteStorage::Query update(storage_,
                              "UPDATE tracking_runs SET status = ?, end_time = ? "
                              "WHERE run_id = ? AND status = 'RUNNING'",
                              kDoing);
  update.text(1, to_string(status)).real(2, end_time).text(3, run_id).step();
  transaction.commit();
  return ids;
}

void SqliteTrackingStore::log_params(std::string_view id,
                                     const std::map<std::string, std::string>& params) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "logging params";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  const std::int64_t seq = running_run_seq(id, kDoing);
  SqliteStorage::Query existing(storage_, "SELECT value FROM params WHERE run_seq = ? AND key = ?",
                                kDoing);
  SqliteStorage::Query insert(storage_, "INSERT INTO params (run_seq, key, value) VALUES (?, ?, ?)",
                              kDoing);
  for (const auto& [key, value] : params) {
    if (existing.integer(1, seq).text(2, key).step()) {
      const std::string old = existing.text(0);
      existing.reset();
      if (old == value) continue;
      throw TrackingError("param " + in_quotes(key) + " of tracking run " + std::string(id) +
                          " is already " + in_quotes(old) + " and cannot become " +
                          in_quotes(value) +
                          ": params are immutable; log the new value in a new tracking run");
    }
    existing.reset();
    insert.integer(1, seq).text(2, key).text(3, value).step();
    insert.reset();
  }
  transaction.commit();
}

void SqliteTrackingStore::log_metrics(std::string_view id, const std::vector<Metric>& metrics) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "logging metrics";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  const std::int64_t seq = running_run_seq(id, kDoing);
  SqliteStorage::Query insert(storage_,
                              "INSERT INTO metrics (run_seq, key, value, step, timestamp) "
                              "VALUES (?, ?, ?, ?, ?)",
                              kDoing);
  for (const Metric& metric : metrics) {
    insert.integer(1, seq)
        .text_ref(2, metric.key)
        .real_or_null(3, stored_value(metric.value))
        .integer(4, metric.step)
        .real(5, metric.timestamp)
        .step();
    insert.reset();
  }
  transaction.commit();
}

void SqliteTrackingStore::set_tags(std::string_view id,
                                   const std::map<std::string, std::string>& tags) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "setting tags";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  const std::int64_t seq = run_seq(id, kDoing);
  SqliteStorage::Query upsert(storage_,
                              "INSERT INTO tags (run_seq, key, value) VALUES (?, ?, ?) "
                              "ON CONFLICT (run_seq, key) DO UPDATE SET value = excluded.value",
                              kDoing);
  for (const auto& [key, value] : tags) {
    upsert.integer(1, seq).text(2, key).text(3, value).step();
    upsert.reset();
  }
  transaction.commit();
}

std::vector<Metric> SqliteTrackingStore::metric_history(std::string_view id, std::string_view key) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "reading a metric's history";
  const std::int64_t seq = run_seq(id, kDoing);
  SqliteStorage::Query q(storage_,
                         "SELECT value, step, timestamp FROM metrics WHERE run_seq = ? AND key = ? "
                         "ORDER BY step, timestamp, id",
                         kDoing);
  q.integer(1, seq).text(2, key);
  std::vector<Metric> history;
  while (q.step())
    history.push_back({std::string(key), metric_value(q, 0), q.integer(1), q.real(2)});
  return history;
}

void SqliteTrackingStore::add_artifact(std::string_view id, const Artifact& artifact) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "recording an artifact";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  const std::int64_t seq = running_run_seq(id, kDoing);
  {
    SqliteStorage::Query q(storage_, "SELECT 1 FROM artifacts WHERE run_seq = ? AND path = ?",
                           kDoing);
    if (q.integer(1, seq).text(2, artifact.path).step()) {
      throw TrackingError("tracking run " + std::string(id) + " already has an artifact " +
                          in_quotes(artifact.path) +
                          "; artifacts are never replaced, log this one under another path");
    }
  }
  SqliteStorage::Query insert(storage_,
                              "INSERT INTO artifacts (run_seq, path, size, sha256, logged_at) "
                              "VALUES (?, ?, ?, ?, ?)",
                              kDoing);
  insert.integer(1, seq)
      .text(2, artifact.path)
      .integer(3, artifact.size)
      .text(4, artifact.sha256)
      .real(5, artifact.logged_at)
      .step();
  transaction.commit();
}

std::vector<Artifact> SqliteTrackingStore::list_artifacts(std::string_view id) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "listing artifacts";
  const std::int64_t seq = run_seq(id, kDoing);
  SqliteStorage::Query q(storage_,
                         "SELECT path, size, sha256, logged_at FROM artifacts WHERE run_seq = ? "
                         "ORDER BY path",
                         kDoing);
  q.integer(1, seq);
  std::vector<Artifact> artifacts;
  while (q.step()) artifacts.push_back({q.text(0), q.integer(1), q.text(2), q.real(3)});
  return artifacts;
}

// ---- model registry -------------------------------------------------------------------------

RegisteredModel SqliteTrackingStore::register_model(std::string_view name,
                                                    std::string_view description, double now) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "registering a model";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  {
    SqliteStorage::Query upsert(
        storage_,
        "INSERT INTO registered_models (name, description, created_at, updated_at, next_version) "
        "VALUES (?1, ?2, ?3, ?3, 1) ON CONFLICT (name) DO UPDATE SET description = "
        "excluded.description, updated_at = excluded.updated_at WHERE excluded.description <> ''",
        kDoing);
    upsert.text(1, name).text(2, description).real(3, now).step();
  }
  RegisteredModel model = read_model(model_id(name, kDoing), kDoing);
  transaction.commit();
  return model;
}

std::optional<RegisteredModel> SqliteTrackingStore::find_model(std::string_view name) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "reading a registered model";
  SqliteStorage::Query q(storage_, "SELECT id FROM registered_models WHERE name = ?", kDoing);
  if (!q.text(1, name).step()) return std::nullopt;
  const std::int64_t id = q.integer(0);
  q.reset();
  return read_model(id, kDoing);
}

std::vector<RegisteredModel> SqliteTrackingStore::list_models() {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "listing registered models";
  std::vector<std::int64_t> ids;
  {
    SqliteStorage::Query q(storage_, "SELECT id FROM registered_models ORDER BY name", kDoing);
    while (q.step()) ids.push_back(q.integer(0));
  }
  std::vector<RegisteredModel> models;
  for (std::int64_t id : ids) models.push_back(read_model(id, kDoing));
  return models;
}

std::int64_t SqliteTrackingStore::reserve_model_version(std::string_view model) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "reserving a model version number";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  std::int64_t version = 0;
  {
    SqliteStorage::Query q(storage_, "SELECT next_version FROM registered_models WHERE name = ?",
                           kDoing);
    if (!q.text(1, model).step()) throw NotFoundError(no_model(model));
    version = q.integer(0);
  }
  SqliteStorage::Query update(
      storage_, "UPDATE registered_models SET next_version = ? WHERE name = ?", kDoing);
  update.integer(1, version + 1).text(2, model).step();
  transaction.commit();
  return version;
}

void SqliteTrackingStore::add_model_version(const ModelVersion& version) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "adding a model version";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  const std::int64_t id = model_id(version.model, kDoing);
  if (!version.tracking_run_id.empty()) run_seq(version.tracking_run_id, kDoing);
  {
    SqliteStorage::Query insert(
        storage_,
        "INSERT INTO model_versions (model_id, version, status, tracking_run_id, artifact_path, "
        "flavor, metrics_json, run_id, asset_key, partition_key, description, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        kDoing);
    insert.integer(1, id)
        .integer(2, version.version)
        .text(3, to_string(version.status))
        .text(4, version.tracking_run_id)
        .text(5, version.artifact_path)
        .text(6, version.flavor)
        .text(7, metrics_to_json(version.metrics))
        .text(8, version.links.run_id)
        .text(9, version.links.asset_key)
        .text(10, version.links.partition_key)
        .text(11, version.description)
        .real(12, version.created_at)
        .step();
  }
  SqliteStorage::Query touch(storage_, "UPDATE registered_models SET updated_at = ? WHERE id = ?",
                             kDoing);
  touch.real(1, version.created_at).integer(2, id).step();
  transaction.commit();
}

std::optional<ModelVersion> SqliteTrackingStore::find_model_version(std::string_view model,
                                                                    std::int64_t version) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "reading a model version";
  ModelVersion found;
  std::int64_t id = 0;
  {
    SqliteStorage::Query q(
        storage_, std::string(kVersionSelect) + "WHERE m.name = ? AND v.version = ?", kDoing);
    if (!q.text(1, model).integer(2, version).step()) return std::nullopt;
    id = read_version(storage_, q, found);
  }
  found.aliases = aliases_of(id, version, kDoing);
  return found;
}

std::vector<ModelVersion> SqliteTrackingStore::list_model_versions(std::string_view model) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "listing model versions";
  const std::int64_t id = model_id(model, kDoing);
  std::vector<ModelVersion> versions;
  {
    SqliteStorage::Query q(
        storage_, std::string(kVersionSelect) + "WHERE v.model_id = ? ORDER BY v.version", kDoing);
    q.integer(1, id);
    while (q.step()) {
      ModelVersion version;
      read_version(storage_, q, version);
      versions.push_back(std::move(version));
    }
  }
  for (ModelVersion& version : versions) version.aliases = aliases_of(id, version.version, kDoing);
  return versions;
}

AliasEvent SqliteTrackingStore::move_alias(std::string_view model, std::string_view alias,
                                           std::int64_t version, bool archive_previous,
                                           std::string_view reason, double now) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "moving a model alias";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  const std::int64_t id = model_id(model, kDoing);
  check_version_exists(id, model, version, kDoing);
  AliasEvent event{std::string(model), std::string(alias), 0, version, 0, now, std::string(reason)};
  {
    SqliteStorage::Query q(
        storage_, "SELECT version FROM model_aliases WHERE model_id = ? AND alias = ?", kDoing);
    if (q.integer(1, id).text(2, alias).step()) event.from_version = q.integer(0);
  }
  if (event.from_version == version) return event;  // already there: nothing to record
  {
    SqliteStorage::Query upsert(
        storage_,
        "INSERT INTO model_aliases (model_id, alias, version, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version, "
        "updated_at = excluded.updated_at",
        kDoing);
    upsert.integer(1, id).text(2, alias).integer(3, version).real(4, now).step();
  }
  SqliteStorage::Query set_status(
      storage_, "UPDATE model_versions SET status = ? WHERE model_id = ? AND version = ?", kDoing);
  set_status.text(1, to_string(ModelVersionStatus::kActive)).integer(2, id).integer(3, version);
  set_status.step();
  set_status.reset();
  if (archive_previous && event.from_version != 0 &&
      aliases_of(id, event.from_version, kDoing).empty()) {
    set_status.text(1, to_string(ModelVersionStatus::kArchived))
        .integer(2, id)
        .integer(3, event.from_version)
        .step();
    event.archived_version = event.from_version;
  }
  {
    SqliteStorage::Query record(
        storage_,
        "INSERT INTO model_alias_events (model_id, alias, from_version, to_version, "
        "archived_version, timestamp, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
        kDoing);
    record.integer(1, id)
        .text(2, alias)
        .integer(3, event.from_version)
        .integer(4, event.to_version)
        .integer(5, event.archived_version)
        .real(6, now)
        .text(7, reason)
        .step();
  }
  SqliteStorage::Query touch(storage_, "UPDATE registered_models SET updated_at = ? WHERE id = ?",
                             kDoing);
  touch.real(1, now).integer(2, id).step();
  transaction.commit();
  return event;
}

void SqliteTrackingStore::remove_alias(std::string_view model, std::string_view alias,
                                       std::string_view reason, double now) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "removing a model alias";
  SqliteStorage::Transaction transaction(storage_, kDoing);
  const std::int64_t id = model_id(model, kDoing);
  std::int64_t from = 0;
  {
    SqliteStorage::Query q(
        storage_, "SELECT version FROM model_aliases WHERE model_id = ? AND alias = ?", kDoing);
    if (!q.integer(1, id).text(2, alias).step()) {
      throw NotFoundError("model " + in_quotes(model) + " has no alias " + in_quotes(alias));
    }
    from = q.integer(0);
  }
  {
    SqliteStorage::Query remove(
        storage_, "DELETE FROM model_aliases WHERE model_id = ? AND alias = ?", kDoing);
    remove.integer(1, id).text(2, alias).step();
  }
  SqliteStorage::Query record(
      storage_,
      "INSERT INTO model_alias_events (model_id, alias, from_version, to_version, "
      "archived_version, timestamp, reason) VALUES (?, ?, ?, 0, 0, ?, ?)",
      kDoing);
  record.integer(1, id).text(2, alias).integer(3, from).real(4, now).text(5, reason).step();
  transaction.commit();
}

void SqliteTrackingStore::retire_model_version(std::string_view model, std::int64_t version,
                                               std::string_view verb, std::string_view doing,
                                               std::string_view sql) {
  std::lock_guard lock(storage_.mutex_);
  SqliteStorage::Transaction transaction(storage_, doing);
  const std::int64_t id = model_id(model, doing);
  check_version_exists(id, model, version, doing);
  check_not_aliased(id, model, version, verb, doing);
  SqliteStorage::Query q(storage_, sql, doing);
  q.integer(1, id).integer(2, version).step();
  transaction.commit();
}

void SqliteTrackingStore::archive_model_version(std::string_view model, std::int64_t version) {
  retire_model_version(
      model, version, "archive", "archiving a model version",
      "UPDATE model_versions SET status = 'ARCHIVED' WHERE model_id = ?1 AND version = ?2");
}

void SqliteTrackingStore::delete_model_version(std::string_view model, std::int64_t version) {
  retire_model_version(model, version, "delete", "deleting a model version",
                       "DELETE FROM model_versions WHERE model_id = ?1 AND version = ?2");
}

std::vector<AliasEvent> SqliteTrackingStore::alias_history(std::string_view model,
                                                           std::string_view alias) {
  std::lock_guard lock(storage_.mutex_);
  constexpr std::string_view kDoing = "reading the alias history";
  const std::int64_t id = model_id(model, kDoing);
  SqliteStorage::Query q(storage_,
                         "SELECT m.name, e.alias, e.from_version, e.to_version, "
                         "e.archived_version, e.timestamp, e.reason FROM model_alias_events e "
                         "JOIN registered_models m ON m.id = e.model_id "
                         "WHERE e.model_id = ?1 AND (?2 = '' OR e.alias = ?2) ORDER BY e.id",
                         kDoing);
  q.integer(1, id).text(2, alias);
  std::vector<AliasEvent> events;
  while (q.step()) events.push_back(read_alias_event(q));
  return events;
}

}  // namespace cairn
