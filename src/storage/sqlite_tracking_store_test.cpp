// The TrackingStore contract on the SQLite backend, and migration 2 of an instance database that
// cairn's schema version 1 created.

#include "storage/sqlite_tracking_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <thread>

#include "cairn/error.hpp"
#include "scratch_dir.hpp"
#include "storage/sqlite_migrations.hpp"
#include "storage/sqlite_storage.hpp"

namespace cairn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tracking::AliasEvent;
using tracking::Metric;
using tracking::ModelVersion;
using tracking::ModelVersionStatus;
using tracking::TrackingError;
using tracking::TrackingRunStatus;

/// Runs `sql` on its own connection and returns the first column of the first row ("" if none).
std::string query(const std::filesystem::path& db_file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(db_file.c_str(), &db), SQLITE_OK);
  std::string result;
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    result = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return result;
}

class TrackingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_file_ = scratch_.path() / "cairn.db";
    storage_ = SqliteStorage::open(db_file_);
  }

  TrackingStore& store() { return storage_->tracking(); }

  /// A RUNNING tracking run in `experiment`, started at `start`.
  std::string add_run(const std::string& id, const std::string& experiment = "exp",
                      double start = 100, tracking::RunLinks links = {}) {
    NewTrackingRun run;
    run.id = id;
    run.experiment_id = store().get_or_create_experiment(experiment, 1).id;
    run.name = "run " + id;
    run.start_time = start;
    run.links = std::move(links);
    store().add_tracking_run(run);
    return id;
  }

  /// A model with versions 1..count, each with metric auc = 0.7 + version / 100.
  void add_versions(const std::string& model, int count) {
    store().register_model(model, "", 1);
    for (int i = 0; i < count; ++i) {
      ModelVersion version;
      version.model = model;
      version.version = store().reserve_model_version(model);
      version.flavor = "xgboost/ubj";
      version.artifact_path = "models/1/v" + std::to_string(version.version) + "/model.ubj";
      version.metrics = {{"auc", 0.7 + static_cast<double>(version.version) / 100}};
      version.created_at = 10.0 + static_cast<double>(version.version);
      store().add_model_version(version);
    }
  }

  ModelVersionStatus status_of(const std::string& model, std::int64_t version) {
    return store().find_model_version(model, version).value().status;
  }

  std::vector<std::string> ids_of(const std::vector<tracking::TrackingRunInfo>& runs) {
    std::vector<std::string> ids;
    for (const auto& run : runs) ids.push_back(run.id);
    return ids;
  }

  testing::ScratchDir scratch_;
  std::filesystem::path db_file_;
  std::unique_ptr<SqliteStorage> storage_;
};

TEST(TrackingMigration, AVersion1DatabaseUpgradesKeepingItsRuns) {
  testing::ScratchDir scratch;
  const auto db_file = scratch.path() / "cairn.db";
  {
    // The database as cairn's schema version 1 left it, with a run and an event.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_file.c_str(), &db), SQLITE_OK);
    run_migrations(db, db_file, 1);
    exec_sql(db, db_file,
             "INSERT INTO runs (run_id, job_name, selection, status, config_json, tags_json, "
             "parent_run_id, root_run_id, step_keys_json, created_at, started_at, ended_at, "
             "failure_reason, cancel_requested, host, pid) VALUES ('old-run', 'daily', '*', "
             "'SUCCESS', '{}', '{}', '', 'old-run', '[\"a\"]', 1, 2, 3, '', 0, 'h', 7);"
             "INSERT INTO events (run_seq, timestamp, event_type, step_key, asset_key, "
             "partition_key, level, message, payload) VALUES (1, 2, 'RUN_START', '', '', '', "
             "'INFO', 'started', '')",
             "writing version 1 data");
    sqlite3_close(db);
  }
  ASSERT_EQ(query(db_file, "SELECT max(version) FROM schema_version"), "1");
  ASSERT_EQ(query(db_file, "SELECT count(*) FROM sqlite_master WHERE name = 'tracking_runs'"), "0");

  auto storage = SqliteStorage::open(db_file);
  EXPECT_EQ(query(db_file, "SELECT group_concat(version) FROM schema_version WHERE version <= 2"),
            "1,2");
  const auto run = storage->get_run("old-run");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, RunStatus::kSuccess);
  EXPECT_EQ(storage->run_events("old-run", {}).size(), 1u);
  // The new tables work, and a tracking run can link to the old run.
  NewTrackingRun tracking_run;
  tracking_run.id = "t1";
  tracking_run.experiment_id = storage->tracking().get_or_create_experiment("e", 1).id;
  tracking_run.links.run_id = "old-run";
  storage->tracking().add_tracking_run(tracking_run);
  EXPECT_EQ(storage->tracking().get_tracking_run("t1")->links.run_id, "old-run");
  for (const char* table :
       {"experiments", "tracking_runs", "params", "metrics", "tags", "artifacts",
        "registered_models", "model_versions", "model_aliases", "model_alias_events"}) {
    EXPECT_EQ(query(db_file,
                    std::string("SELECT count(*) FROM sqlite_master WHERE name = '") + table + "'"),
              "1")
        << table;
  }
}

TEST_F(TrackingStoreTest, ExperimentsAreCreatedOnceAndListedByName) {
  const auto b = store().get_or_create_experiment("b", 5);
  const auto a = store().get_or_create_experiment("a", 6);
  EXPECT_EQ(store().get_or_create_experiment("b", 7).id, b.id);
  EXPECT_EQ(store().get_or_create_experiment("b", 7).created_at, 5);
  EXPECT_NE(a.id, b.id);
  const auto listed = store().list_experiments();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].name, "a");
  EXPECT_EQ(listed[1].name, "b");
  EXPECT_FALSE(store().find_experiment("c"));
}

TEST_F(TrackingStoreTest, TrackingRunRoundTripsWithTagsAndLinks) {
  NewTrackingRun run;
  run.id = "abc123";
  run.experiment_id = store().get_or_create_experiment("credit/train", 1).id;
  run.name = "credit/train";
  run.start_time = 42.5;
  run.links = {"run-1", "credit/train", "2025-01-01"};
  run.tags = {{"team", "risk"}, {"cairn.attempt", "1"}};
  store().add_tracking_run(run);
  const auto stored = store().get_tracking_run("abc123");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->experiment, "credit/train");
  EXPECT_EQ(stored->name, "credit/train");
  EXPECT_EQ(stored->status, TrackingRunStatus::kRunning);
  EXPECT_EQ(stored->start_time, 42.5);
  EXPECT_EQ(stored->end_time, 0);
  EXPECT_EQ(stored->links.run_id, "run-1");
  EXPECT_EQ(stored->links.asset_key, "credit/train");
  EXPECT_EQ(stored->links.partition_key, "2025-01-01");
  EXPECT_EQ(stored->tags, run.tags);

  EXPECT_THROW(store().add_tracking_run(run), StorageError);
  run.id = "other";
  run.experiment_id = 999;
  EXPECT_THROW(store().add_tracking_run(run), NotFoundError);
  EXPECT_FALSE(store().get_tracking_run("other"));
}

TEST_F(TrackingStoreTest, ParamsAreImmutableAndABatchIsAllOrNothing) {
  add_run("r");
  store().log_params("r", {{"max_depth", "6"}, {"eta", "0.1"}});
  store().log_params("r", {{"max_depth", "6"}});  // the same value again is fine
  try {
    store().log_params("r", {{"eta", "0.2"}, {"subsample", "0.8"}});
    FAIL() << "expected TrackingError";
  } catch (const TrackingError& e) {
    EXPECT_THAT(e.what(), HasSubstr("param 'eta' of tracking run r is already '0.1' and cannot "
                                    "become '0.2'"));
    EXPECT_THAT(e.what(), HasSubstr("params are immutable"));
  }
  const auto params = store().get_tracking_run("r")->params;
  EXPECT_EQ(params, (std::map<std::string, std::string>{{"eta", "0.1"}, {"max_depth", "6"}}));
}

TEST_F(TrackingStoreTest, MetricHistoryIsOrderedByStepThenTimeAndTheLatestIsTheHighestStep) {
  add_run("r");
  store().log_metrics("r", {{"loss", 0.5, 2, 10}, {"loss", 0.9, 0, 11}, {"loss", 0.7, 1, 12}});
  store().log_metrics("r", {{"loss", 0.4, 2, 9}, {"auc", 0.6, 0, 13}});
  const auto history = store().metric_history("r", "loss");
  std::vector<std::pair<std::int64_t, double>> points;
  for (const Metric& m : history) points.emplace_back(m.step, m.value);
  EXPECT_THAT(points, ElementsAre(std::pair<std::int64_t, double>{0, 0.9},
                                  std::pair<std::int64_t, double>{1, 0.7},
                                  std::pair<std::int64_t, double>{2, 0.4},
                                  std::pair<std::int64_t, double>{2, 0.5}));
  const auto metrics = store().get_tracking_run("r")->metrics;
  EXPECT_EQ(metrics.at("loss"), 0.5);  // step 2, logged at the later time
  EXPECT_EQ(metrics.at("auc"), 0.6);
  EXPECT_TRUE(store().metric_history("r", "missing").empty());
}

TEST_F(TrackingStoreTest, NaNAndInfinityMetricsRoundTrip) {
  add_run("r");
  const double inf = std::numeric_limits<double>::infinity();
  store().log_metrics("r", {{"loss", std::nan(""), 0, 1}, {"loss", inf, 1, 1}});
  const auto history = store().metric_history("r", "loss");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_TRUE(std::isnan(history[0].value));
  EXPECT_EQ(history[1].value, inf);
}

TEST_F(TrackingStoreTest, AThousandRoundsAreOneCall) {
  add_run("r");
  std::vector<Metric> rounds;
  for (int i = 0; i < 1000; ++i) rounds.push_back({"valid/auc", 0.5 + i * 1e-4, i, 1});
  store().log_metrics("r", rounds);
  const auto history = store().metric_history("r", "valid/auc");
  ASSERT_EQ(history.size(), 1000u);
  EXPECT_EQ(history.back().step, 999);
  EXPECT_DOUBLE_EQ(store().get_tracking_run("r")->metrics.at("valid/auc"), 0.5 + 999e-4);
}

TEST_F(TrackingStoreTest, AnEndedRunTakesNoMoreParamsMetricsOrArtifactsButTakesTags) {
  add_run("r");
  EXPECT_TRUE(store().end_tracking_run("r", TrackingRunStatus::kFinished, 200));
  EXPECT_FALSE(store().end_tracking_run("r", TrackingRunStatus::kFailed, 300));
  const auto run = store().get_tracking_run("r");
  EXPECT_EQ(run->status, TrackingRunStatus::kFinished);
  EXPECT_EQ(run->end_time, 200);
  try {
    store().log_metrics("r", {{"auc", 1, 0, 1}});
    FAIL() << "expected TrackingError";
  } catch (const TrackingError& e) {
    EXPECT_THAT(e.what(), HasSubstr("tracking run r is FINISHED"));
    EXPECT_THAT(e.what(), HasSubstr("start a new tracking run"));
  }
  EXPECT_THROW(store().log_params("r", {{"a", "1"}}), TrackingError);
  EXPECT_THROW(store().add_artifact("r", {"a.txt", 1, "x", 1}), TrackingError);
  store().set_tags("r", {{"reviewed", "yes"}});
  store().set_tags("r", {{"reviewed", "twice"}});
  EXPECT_EQ(store().get_tracking_run("r")->tags.at("reviewed"), "twice");
  EXPECT_THROW(store().end_tracking_run("missing", TrackingRunStatus::kFailed, 1), NotFoundError);
  EXPECT_THROW(store().log_metrics("missing", {}), NotFoundError);
}

TEST_F(TrackingStoreTest, EndingTheTrackingRunsOfADeadRunTouchesOnlyItsRunningOnes) {
  add_run("a", "exp", 1, {"run-1", "x", ""});
  add_run("b", "exp", 2, {"run-1", "y", ""});
  add_run("c", "exp", 3, {"run-2", "x", ""});
  store().end_tracking_run("b", TrackingRunStatus::kFinished, 5);
  EXPECT_THAT(store().end_tracking_runs_of_run("run-1", TrackingRunStatus::kFailed, 9),
              ElementsAre("a"));
  EXPECT_EQ(store().get_tracking_run("a")->status, TrackingRunStatus::kFailed);
  EXPECT_EQ(store().get_tracking_run("b")->status, TrackingRunStatus::kFinished);
  EXPECT_EQ(store().get_tracking_run("c")->status, TrackingRunStatus::kRunning);
}

TEST_F(TrackingStoreTest, ArtifactsAreListedByPathAndNeverReplaced) {
  add_run("r");
  store().add_artifact("r", {"model/model.ubj", 1234, "abc", 5});
  store().add_artifact("r", {"metrics.json", 10, "def", 6});
  EXPECT_THROW(store().add_artifact("r", {"metrics.json", 11, "xyz", 7}), TrackingError);
  const auto artifacts = store().list_artifacts("r");
  ASSERT_EQ(artifacts.size(), 2u);
  EXPECT_EQ(artifacts[0].path, "metrics.json");
  EXPECT_EQ(artifacts[0].size, 10);
  EXPECT_EQ(artifacts[0].sha256, "def");
  EXPECT_EQ(artifacts[1].path, "model/model.ubj");
  EXPECT_EQ(artifacts[1].size, 1234);
}

TEST_F(TrackingStoreTest, RunIdsAreFoundByPrefix) {
  add_run("abcd1");
  add_run("abcd2");
  add_run("abce3");
  EXPECT_THAT(store().find_tracking_run_ids("abcd", 10), ElementsAre("abcd1", "abcd2"));
  EXPECT_THAT(store().find_tracking_run_ids("abc", 2), ElementsAre("abcd1", "abcd2"));
  EXPECT_TRUE(store().find_tracking_run_ids("zz", 10).empty());
}

TEST_F(TrackingStoreTest, SearchFiltersOrdersAndPages) {
  // Five runs; r4 has no auc, r5 is in another experiment.
  for (int i = 1; i <= 5; ++i) {
    const std::string id = "r" + std::to_string(i);
    add_run(id, i == 5 ? "other" : "exp", 100 + i);
    store().log_params(id, {{"max_depth", std::to_string(i % 2 == 0 ? 6 : 4)}});
    if (i != 4) store().log_metrics(id, {{"auc", 0.70 + i * 0.01, 0, 1}});
  }
  store().log_metrics("r1", {{"auc", 0.99, 1, 2}});  // r1's latest auc is its step 1
  store().set_tags("r2", {{"team", "risk"}});
  store().end_tracking_run("r3", TrackingRunStatus::kFailed, 200);
  const std::int64_t exp = store().find_experiment("exp")->id;

  RunSearch search;
  search.experiment_ids = {exp};
  EXPECT_THAT(ids_of(store().search_tracking_runs(search)), ElementsAre("r4", "r3", "r2", "r1"));

  search.order = {RunField::kMetric, "auc", true};
  EXPECT_THAT(ids_of(store().search_tracking_runs(search)), ElementsAre("r1", "r3", "r2", "r4"));
  search.order.descending = false;
  EXPECT_THAT(ids_of(store().search_tracking_runs(search)), ElementsAre("r2", "r3", "r1", "r4"));
  search.limit = 2;
  search.offset = 1;
  EXPECT_THAT(ids_of(store().search_tracking_runs(search)), ElementsAre("r3", "r1"));
  search.limit = 100;
  search.offset = 0;

  search.conditions = {{RunField::kMetric, "auc", Comparison::kGreater, "", 0.725}};
  EXPECT_THAT(ids_of(store().search_tracking_runs(search)), ElementsAre("r3", "r1"));
  search.conditions.push_back({RunField::kParam, "max_depth", Comparison::kEqual, "4", 0});
  EXPECT_THAT(ids_of(store().search_tracking_runs(search)), ElementsAre("r3", "r1"));
  search.conditions.push_back({RunField::kStatus, "", Comparison::kNotEqual, "FAILED", 0});
  EXPECT_THAT(ids_of(store().search_tracking_runs(search)), ElementsAre("r1"));

  search.conditions = {{RunField::kTag, "team", Comparison::kEqual, "risk", 0}};
  EXPECT_THAT(ids_of(store().search_tracking_runs(search)), ElementsAre("r2"));
  // A run without the tag matches neither = nor !=.
  search.conditions = {{RunField::kTag, "team", Comparison::kNotEqual, "ops", 0}};
  EXPECT_THAT(ids_of(store().search_tracking_runs(search)), ElementsAre("r2"));

  search.experiment_ids.clear();
  search.conditions = {{RunField::kParam, "max_depth", Comparison::kEqual, "4", 0}};
  search.order = {RunField::kParam, "max_depth", false};
  EXPECT_THAT(ids_of(store().search_tracking_runs(search)), ElementsAre("r5", "r3", "r1"));
  EXPECT_EQ(store().search_tracking_runs(search)[0].experiment, "other");
  EXPECT_EQ(store().search_tracking_runs(search)[2].metrics.at("auc"), 0.99);
}

TEST_F(TrackingStoreTest, RegisteringAModelTwiceReturnsItAndKeepsItsDescriptionUnlessGiven) {
  auto model = store().register_model("credit-scorer", "first", 1);
  EXPECT_EQ(model.name, "credit-scorer");
  EXPECT_EQ(model.latest_version, 0);
  EXPECT_EQ(store().register_model("credit-scorer", "", 2).description, "first");
  EXPECT_EQ(store().register_model("credit-scorer", "second", 3).description, "second");
  EXPECT_EQ(store().list_models().size(), 1u);
  EXPECT_THROW(store().reserve_model_version("nope"), NotFoundError);
}

TEST_F(TrackingStoreTest, VersionsRoundTripAndNumbersAreNeverReused) {
  add_run("r", "exp", 1, {"run-9", "credit/train", ""});
  store().register_model("m", "", 1);
  ModelVersion version;
  version.model = "m";
  version.version = store().reserve_model_version("m");
  version.tracking_run_id = "r";
  version.artifact_path = "1/r/model.ubj";
  version.flavor = "xgboost/ubj";
  version.metrics = {{"auc", 0.74}, {"bad", std::nan("")}};
  version.links = {"run-9", "credit/train", ""};
  version.description = "first";
  version.created_at = 50;
  store().add_model_version(version);
  const auto stored = store().find_model_version("m", 1);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, ModelVersionStatus::kActive);
  EXPECT_EQ(stored->tracking_run_id, "r");
  EXPECT_EQ(stored->artifact_path, "1/r/model.ubj");
  EXPECT_EQ(stored->flavor, "xgboost/ubj");
  EXPECT_EQ(stored->metrics.at("auc"), 0.74);
  EXPECT_TRUE(std::isnan(stored->metrics.at("bad")));
  EXPECT_EQ(stored->links.run_id, "run-9");
  EXPECT_EQ(stored->links.asset_key, "credit/train");
  EXPECT_EQ(stored->created_at, 50);

  version.tracking_run_id = "no-such-run";
  version.version = store().reserve_model_version("m");
  EXPECT_THROW(store().add_model_version(version), NotFoundError);
  EXPECT_FALSE(store().find_model_version("m", 2));

  store().delete_model_version("m", 1);
  EXPECT_EQ(store().reserve_model_version("m"), 3);
}

TEST_F(TrackingStoreTest, PromotionMovesTheAliasArchivesThePreviousHolderAndRecordsIt) {
  add_versions("m", 3);
  AliasEvent first = store().move_alias("m", "production", 1, true, "first model", 100);
  EXPECT_EQ(first.from_version, 0);
  EXPECT_EQ(first.to_version, 1);
  EXPECT_EQ(first.archived_version, 0);
  AliasEvent second = store().move_alias("m", "production", 2, true, "auc +0.01", 200);
  EXPECT_EQ(second.from_version, 1);
  EXPECT_EQ(second.archived_version, 1);
  EXPECT_EQ(status_of("m", 1), ModelVersionStatus::kArchived);
  EXPECT_EQ(status_of("m", 2), ModelVersionStatus::kActive);
  EXPECT_EQ(store().find_model("m")->aliases,
            (std::map<std::string, std::int64_t>{{"production", 2}}));
  EXPECT_THAT(store().find_model_version("m", 2)->aliases, ElementsAre("production"));

  // Moving an alias to its holder records nothing.
  EXPECT_EQ(store().move_alias("m", "production", 2, true, "again", 300).from_version, 2);
  const auto history = store().alias_history("m", "production");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].reason, "first model");
  EXPECT_EQ(history[0].timestamp, 100);
  EXPECT_EQ(history[1].from_version, 1);
  EXPECT_EQ(history[1].to_version, 2);
  EXPECT_EQ(history[1].archived_version, 1);
  EXPECT_EQ(history[1].reason, "auc +0.01");

  // Rolling back to an archived version makes it active again.
  store().move_alias("m", "production", 1, true, "rollback", 400);
  EXPECT_EQ(status_of("m", 1), ModelVersionStatus::kActive);
  EXPECT_EQ(status_of("m", 2), ModelVersionStatus::kArchived);
}

TEST_F(TrackingStoreTest, ThePreviousHolderStaysActiveWhileAnotherAliasPointsToIt) {
  add_versions("m", 2);
  store().move_alias("m", "production", 1, true, "", 1);
  store().move_alias("m", "champion", 1, false, "", 2);
  const AliasEvent moved = store().move_alias("m", "production", 2, true, "", 3);
  EXPECT_EQ(moved.archived_version, 0);
  EXPECT_EQ(status_of("m", 1), ModelVersionStatus::kActive);
  // set_alias (no archiving) leaves the previous holder alone too.
  store().move_alias("m", "staging", 2, false, "", 4);
  store().move_alias("m", "staging", 1, false, "", 5);
  EXPECT_EQ(status_of("m", 2), ModelVersionStatus::kActive);
  EXPECT_EQ(store().alias_history("m", "").size(), 5u);
}

TEST_F(TrackingStoreTest, PromotingAVersionThatDoesNotExistChangesNothing) {
  add_versions("m", 2);
  store().move_alias("m", "production", 1, true, "", 1);
  try {
    store().move_alias("m", "production", 7, true, "", 2);
    FAIL() << "expected NotFoundError";
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(), HasSubstr("model 'm' has no version 7 (its versions: 1, 2)"));
    EXPECT_THAT(e.what(), HasSubstr("`models versions m`"));
  }
  EXPECT_EQ(store().find_model("m")->aliases.at("production"), 1);
  EXPECT_EQ(status_of("m", 1), ModelVersionStatus::kActive);
  EXPECT_EQ(store().alias_history("m", "").size(), 1u);
  EXPECT_THROW(store().move_alias("nope", "production", 1, true, "", 2), NotFoundError);
}

TEST_F(TrackingStoreTest, AnAliasedVersionCannotBeArchivedOrDeleted) {
  add_versions("m", 2);
  store().move_alias("m", "production", 2, true, "", 1);
  for (auto action :
       {&TrackingStore::archive_model_version, &TrackingStore::delete_model_version}) {
    try {
      (store().*action)("m", 2);
      FAIL() << "expected TrackingError";
    } catch (const TrackingError& e) {
      EXPECT_THAT(e.what(), HasSubstr("version 2 of model 'm': alias 'production' points to it"));
      EXPECT_THAT(e.what(), HasSubstr("models promote m VERSION --alias production"));
    }
  }
  EXPECT_EQ(status_of("m", 2), ModelVersionStatus::kActive);
  store().archive_model_version("m", 1);
  EXPECT_EQ(status_of("m", 1), ModelVersionStatus::kArchived);
  store().delete_model_version("m", 1);
  EXPECT_FALSE(store().find_model_version("m", 1));
  EXPECT_EQ(store().list_model_versions("m").size(), 1u);
}

TEST_F(TrackingStoreTest, RemovingAnAliasIsRecorded) {
  add_versions("m", 1);
  store().move_alias("m", "staging", 1, false, "", 1);
  store().remove_alias("m", "staging", "done", 2);
  EXPECT_TRUE(store().find_model("m")->aliases.empty());
  const auto history = store().alias_history("m", "staging");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].from_version, 1);
  EXPECT_EQ(history[1].to_version, 0);
  EXPECT_THROW(store().remove_alias("m", "staging", "", 3), NotFoundError);
}

TEST_F(TrackingStoreTest, ManyThreadsLogToTheirOwnRunsAtOnce) {
  constexpr int kThreads = 6;
  constexpr int kBatches = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      const std::string id = add_run("t" + std::to_string(t), "exp" + std::to_string(t % 2));
      store().log_params(id, {{"thread", std::to_string(t)}});
      for (int b = 0; b < kBatches; ++b) {
        store().log_metrics(id, {{"loss", 1.0 / (b + 1), b, 1}, {"auc", 0.5 + b * 0.01, b, 1}});
        store().set_tags(id, {{"batch", std::to_string(b)}});
      }
      store().end_tracking_run(id, TrackingRunStatus::kFinished, 2);
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    const std::string id = "t" + std::to_string(t);
    EXPECT_EQ(store().metric_history(id, "loss").size(), static_cast<std::size_t>(kBatches));
    const auto run = store().get_tracking_run(id);
    EXPECT_EQ(run->params.at("thread"), std::to_string(t));
    EXPECT_EQ(run->tags.at("batch"), std::to_string(kBatches - 1));
    EXPECT_EQ(run->status, TrackingRunStatus::kFinished);
  }
}

}  // namespace
}  // namespace cairn
