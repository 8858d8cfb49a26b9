// What SqliteStorage derives from the event log for partitions, staleness and checks: the asset
// index's version columns, the observation and check indexes, dynamic partitions, an asset's
// history and the daemon's view of new events; and migration 3 of a version 2 database.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "cairn/error.hpp"
#include "scratch_dir.hpp"
#include "storage/sqlite_migrations.hpp"
#include "storage/sqlite_storage.hpp"
#include "storage/sqlite_test_fixtures.hpp"

namespace cairn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::make_event;
using testing::make_run;
using testing::query;

class AssetIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_file_ = scratch_.path() / "cairn.db";
    storage_ = SqliteStorage::open(db_file_);
    storage_->add_run(make_run("r1", 1));
    storage_->add_run(make_run("r2", 2));
  }

  std::vector<Event> append(std::vector<Event> events) {
    storage_->append_events(events);
    return events;
  }

  testing::ScratchDir scratch_;
  std::filesystem::path db_file_;
  std::unique_ptr<SqliteStorage> storage_;
};

std::string materialization_payload(const std::string& data_version,
                                    const std::vector<InputVersion>& inputs = {},
                                    const std::string& code_version = "1",
                                    const std::string& config_hash = "cfg") {
  nlohmann::json json = {{"uri", "memory:x"},
                         {"io_manager", "memory"},
                         {"codec", "int/text"},
                         {"code_version", code_version},
                         {"data_version", data_version},
                         {"config_hash", config_hash},
                         {"inputs", nlohmann::json::array()},
                         {"metadata", nlohmann::json::object()}};
  for (const InputVersion& input : inputs) {
    json["inputs"].push_back({input.asset_key, input.partition_key, input.data_version});
  }
  return json.dump();
}

std::string check_payload(const std::string& check, bool passed,
                          const std::string& severity = "error", bool blocking = true) {
  return nlohmann::json{{"check", check},           {"passed", passed},
                        {"severity", severity},     {"blocking", blocking},
                        {"description", "a check"}, {"metadata", nlohmann::json::object()}}
      .dump();
}

Event partitioned(Event event, const std::string& partition_key) {
  event.partition_key = partition_key;
  return event;
}

TEST(AssetIndexMigration, AVersion2DatabaseUpgradesKeepingItsData) {
  testing::ScratchDir scratch;
  const auto db_file = scratch.path() / "cairn.db";
  {
    // The database as cairn's schema version 2 left it: a run, its materialization in the
    // asset index (with a code version in the payload), and an experiment.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_file.c_str(), &db), SQLITE_OK);
    run_migrations(db, db_file, 2);
    exec_sql(db, db_file,
             "INSERT INTO runs (run_id, job_name, selection, status, config_json, tags_json, "
             "parent_run_id, root_run_id, step_keys_json, created_at, started_at, ended_at, "
             "failure_reason, cancel_requested, host, pid) VALUES ('old-run', 'daily', '*', "
             "'SUCCESS', '{}', '{\"team\":\"risk\"}', '', 'old-run', '[\"a\"]', 1, 2, 3, '', 0, "
             "'h', 7);"
             "INSERT INTO run_tags (run_id, key, value) VALUES ('old-run', 'team', 'risk');"
             "INSERT INTO events (run_seq, timestamp, event_type, step_key, asset_key, "
             "partition_key, level, message, payload) VALUES (1, 2, 'ASSET_MATERIALIZATION', "
             "'a', 'a', '', 'INFO', '', '{\"uri\":\"file:///a\",\"code_version\":\"7\"}');"
             "INSERT INTO asset_index (asset_key, partition_key, run_id, event_id, timestamp, "
             "payload) VALUES ('a', '', 'old-run', 1, 2, "
             "'{\"uri\":\"file:///a\",\"code_version\":\"7\"}');"
             "INSERT INTO experiments (name, created_at) VALUES ('e', 1)",
             "writing version 2 data");
    sqlite3_close(db);
  }
  ASSERT_EQ(query(db_file, "SELECT max(version) FROM schema_version"), "2");

  auto storage = SqliteStorage::open(db_file);
  EXPECT_EQ(query(db_file, "SELECT group_concat(version) FROM schema_version"), "1,2,3");
  const auto run = storage->get_run("old-run");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, RunStatus::kSuccess);
  EXPECT_EQ(run->tags.at("team"), "risk");
  EXPECT_TRUE(run->partition_keys.empty());
  EXPECT_EQ(run->priority, 0);
  EXPECT_EQ(run->run_key, "");
  EXPECT_EQ(run->heartbeat_at, 0);
  EXPECT_EQ(storage->run_events("old-run", {}).size(), 1u);
  EXPECT_EQ(storage->latest_materialization("a", "")->payload_json,
            R"({"uri":"file:///a","code_version":"7"})");
  const auto versions = storage->asset_versions();
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].code_version, "7");
  EXPECT_EQ(versions[0].data_version, "");
  EXPECT_TRUE(versions[0].inputs.empty());
  EXPECT_TRUE(storage->tracking().find_experiment("e"));
  for (const char* table :
       {"asset_observations", "asset_check_index", "dynamic_partitions", "instigator_state",
        "ticks", "run_keys", "leases", "backfills", "backfill_partitions", "pool_slots"}) {
    EXPECT_EQ(query(db_file,
                    std::string("SELECT count(*) FROM sqlite_master WHERE name = '") + table + "'"),
              "1")
        << table;
  }
  // The old run's history is found through the new index, and new events index as usual.
  EXPECT_EQ(storage->asset_history("a", {}).size(), 1u);
  std::vector<Event> events = {
      make_event("old-run", EventType::kAssetMaterialization, "a", materialization_payload("v2"))};
  storage->append_events(events);
  EXPECT_EQ(storage->asset_versions()[0].data_version, "v2");
}

TEST_F(AssetIndexTest, RunsKeepPartitionsPriorityRunKeyAndHeartbeat) {
  RunRecord run = make_run("r3", 3);
  run.partition_keys = {"2024-01-01", "2024-01-02"};
  run.priority = -5;
  run.run_key = "sensor:files:a.csv";
  run.heartbeat_at = 42.5;
  storage_->add_run(run);
  const auto stored = storage_->get_run("r3");
  ASSERT_TRUE(stored);
  EXPECT_THAT(stored->partition_keys, ElementsAre("2024-01-01", "2024-01-02"));
  EXPECT_EQ(stored->priority, -5);
  EXPECT_EQ(stored->run_key, "sensor:files:a.csv");
  EXPECT_EQ(stored->heartbeat_at, 42.5);
  const auto listed = storage_->list_runs({});
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].run_id, "r3");
  EXPECT_EQ(listed[0].partition_keys, stored->partition_keys);
  EXPECT_EQ(listed[0].run_key, stored->run_key);
}

TEST_F(AssetIndexTest, VersionColumnsRoundTripInputsWithOddCharacters) {
  // Keys holding the encoding's own characters (digits, ':'), quotes, a newline, non-ASCII
  // text, and empty fields.
  const std::vector<InputVersion> inputs = {
      {"credit/raw", "", "abc"},
      {"12:34", "2024-01-01|x", ""},
      {"quo\"te\nline", "päß/ü", "9:"},
      {"", "", ""},
  };
  const auto first =
      append({partitioned(make_event("r1", EventType::kAssetMaterialization, "credit/features",
                                     materialization_payload("dv1", inputs, "3", "h1")),
                          "2024-01-01")});
  const auto second = append({make_event("r2", EventType::kAssetMaterialization, "credit/raw",
                                         materialization_payload("dv0", {}, "", ""))});

  const auto versions = storage_->asset_versions();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].asset_key, "credit/features");
  EXPECT_EQ(versions[0].partition_key, "2024-01-01");
  EXPECT_EQ(versions[0].event_id, first[0].id);
  EXPECT_EQ(versions[0].timestamp, 10.0);
  EXPECT_EQ(versions[0].data_version, "dv1");
  EXPECT_EQ(versions[0].code_version, "3");
  EXPECT_EQ(versions[0].config_hash, "h1");
  EXPECT_EQ(versions[0].inputs, inputs);
  EXPECT_EQ(versions[1].asset_key, "credit/raw");
  EXPECT_TRUE(versions[1].inputs.empty());

  const auto after = storage_->asset_versions_after(first[0].id);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].event_id, second[0].id);
  EXPECT_TRUE(storage_->asset_versions_after(second[0].id).empty());
  // A newer materialization of the same asset × partition replaces the entry and moves it
  // after the cursor.
  const auto third =
      append({partitioned(make_event("r2", EventType::kAssetMaterialization, "credit/features",
                                     materialization_payload("dv2", {})),
                          "2024-01-01")});
  const auto replaced = storage_->asset_versions_after(second[0].id);
  ASSERT_EQ(replaced.size(), 1u);
  EXPECT_EQ(replaced[0].event_id, third[0].id);
  EXPECT_EQ(replaced[0].data_version, "dv2");
  EXPECT_TRUE(replaced[0].inputs.empty());
  EXPECT_EQ(storage_->asset_versions().size(), 2u);
}

// The persisted format of the inputs column, as docs/storage.md gives it.
TEST_F(AssetIndexTest, InputsAreStoredLengthPrefixed) {
  append({make_event(
      "r1", EventType::kAssetMaterialization, "model",
      materialization_payload("v", {{"credit/raw", "", "a1"}, {"fx", "2024-01-02", "9f"}}))});
  EXPECT_EQ(query(db_file_, "SELECT inputs FROM asset_index WHERE asset_key = 'model'"),
            "10:credit/raw0:2:a12:fx10:2024-01-022:9f");
  // A corrupt value is reported, not misread.
  query(db_file_, "UPDATE asset_index SET inputs = '10:credit/raw0:' WHERE asset_key = 'model'");
  try {
    storage_->asset_versions();
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("is corrupt: the inputs of asset index entry 'model'"));
  }
}

TEST_F(AssetIndexTest, MalformedPayloadsFailTheAppendAndWriteNothing) {
  const std::vector<std::pair<Event, std::string>> cases = {
      {make_event("r1", EventType::kAssetMaterialization, "a", "[1]"), "is not a JSON object"},
      {make_event("r1", EventType::kAssetMaterialization, "a", R"({"inputs": [["a", "b"]]})"),
       "\"inputs\" that are not an array"},
      {make_event("r1", EventType::kAssetMaterialization, "a", R"({"data_version": 3})"),
       "\"data_version\" that is not a string"},
      {make_event("r1", EventType::kAssetCheckEvaluation, "a", R"({"passed": true})"),
       "no \"check\""},
      {make_event("r1", EventType::kAssetCheckEvaluation, "a",
                  R"({"check": "c", "passed": true, "severity": "fatal"})"),
       "\"severity\" other than"},
      {make_event("r1", EventType::kDynamicPartitionsAdded, "", R"({"keys": ["a"]})"),
       "no \"name\""},
      {make_event("r1", EventType::kDynamicPartitionsAdded, "", R"({"name": "m", "keys": [1]})"),
       "\"keys\" that is not an array of strings"},
  };
  for (const auto& [event, message] : cases) {
    std::vector<Event> events = {make_event("r1", EventType::kLog, ""), event};
    try {
      storage_->append_events(events);
      ADD_FAILURE() << "expected StorageError for " << event.payload_json;
    } catch (const StorageError& e) {
      EXPECT_THAT(e.what(), HasSubstr(message));
      EXPECT_THAT(e.what(), HasSubstr("src/core/event.hpp"));
      EXPECT_THAT(e.what(), HasSubstr("run 'r1'"));
    }
    EXPECT_EQ(events[0].id, 0);
  }
  EXPECT_EQ(storage_->last_event_id(), 0);
  EXPECT_TRUE(storage_->asset_versions().empty());
}

TEST_F(AssetIndexTest, ObservationIndexKeepsTheLatestPerAssetAndPartition) {
  append({make_event("r1", EventType::kAssetObservation, "raw/file",
                     R"({"data_version": "h1", "metadata": {"mtime": 5}})", 10)});
  const auto later = append({
      make_event("r2", EventType::kAssetObservation, "raw/file", R"({"data_version": "h2"})", 20),
      partitioned(make_event("r2", EventType::kAssetObservation, "raw/file",
                             R"({"data_version": "p"})", 21),
                  "eu"),
  });
  const auto observations = storage_->latest_observations();
  ASSERT_EQ(observations.size(), 2u);
  EXPECT_EQ(observations[0].partition_key, "");
  EXPECT_EQ(observations[0].data_version, "h2");
  EXPECT_EQ(observations[0].run_id, "r2");
  EXPECT_EQ(observations[0].event_id, later[0].id);
  EXPECT_EQ(observations[0].timestamp, 20);
  EXPECT_EQ(observations[0].payload_json, R"({"data_version": "h2"})");
  EXPECT_EQ(observations[1].partition_key, "eu");
  EXPECT_EQ(observations[1].data_version, "p");
  // Observations are not materializations.
  EXPECT_TRUE(storage_->asset_versions().empty());
}

TEST_F(AssetIndexTest, CheckIndexKeepsTheLatestEvaluationOfEachCheck) {
  append({
      make_event("r1", EventType::kAssetCheckEvaluation, "a", check_payload("not_null", false)),
      make_event("r1", EventType::kAssetCheckEvaluation, "a",
                 check_payload("row_count", true, "warn", false)),
      make_event("r1", EventType::kAssetCheckEvaluation, "b", check_payload("not_null", true)),
  });
  append({make_event("r2", EventType::kAssetCheckEvaluation, "a", check_payload("not_null", true),
                     30)});
  const auto of_a = storage_->latest_check_results("a");
  ASSERT_EQ(of_a.size(), 2u);
  EXPECT_EQ(of_a[0].check_name, "not_null");
  EXPECT_TRUE(of_a[0].passed);
  EXPECT_EQ(of_a[0].run_id, "r2");
  EXPECT_EQ(of_a[0].timestamp, 30);
  EXPECT_EQ(of_a[0].severity, "error");
  EXPECT_TRUE(of_a[0].blocking);
  EXPECT_EQ(of_a[1].check_name, "row_count");
  EXPECT_FALSE(of_a[1].blocking);
  EXPECT_EQ(of_a[1].severity, "warn");
  EXPECT_THAT(of_a[1].payload_json, HasSubstr("\"description\":\"a check\""));
  const auto all = storage_->latest_check_results("");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].asset_key, "b");
}

TEST_F(AssetIndexTest, DynamicPartitionsComeFromEventsAndTheApiInOrderAdded) {
  append({make_event("r1", EventType::kDynamicPartitionsAdded, "",
                     R"({"name": "models", "keys": ["xgb", "lgbm"]})")});
  append({make_event("r1", EventType::kDynamicPartitionsAdded, "",
                     R"({"name": "models", "keys": ["lgbm", "logreg", "logreg"]})")});
  EXPECT_THAT(storage_->dynamic_partition_keys("models"), ElementsAre("xgb", "lgbm", "logreg"));
  EXPECT_THAT(storage_->add_dynamic_partitions("models", {"xgb", "rf"}), ElementsAre("rf"));
  EXPECT_THAT(storage_->add_dynamic_partitions("regions", {"eu", "us"}), ElementsAre("eu", "us"));
  EXPECT_THAT(storage_->delete_dynamic_partitions("models", {"lgbm", "missing"}),
              ElementsAre("lgbm"));
  EXPECT_THAT(storage_->dynamic_partition_keys("models"), ElementsAre("xgb", "logreg", "rf"));
  // A deleted key added again goes to the end.
  storage_->add_dynamic_partitions("models", {"lgbm"});
  const auto all = storage_->all_dynamic_partitions();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_THAT(all.at("models"), ElementsAre("xgb", "logreg", "rf", "lgbm"));
  EXPECT_THAT(all.at("regions"), ElementsAre("eu", "us"));
  EXPECT_TRUE(storage_->dynamic_partition_keys("unknown").empty());
  EXPECT_THROW(storage_->add_dynamic_partitions("models", {"ok", ""}), StorageError);
  EXPECT_THAT(storage_->dynamic_partition_keys("models"),
              ElementsAre("xgb", "logreg", "rf", "lgbm"));
}

TEST_F(AssetIndexTest, AFailedAppendLeavesEveryIndexAsItWas) {
  append({make_event("r1", EventType::kAssetCheckEvaluation, "a", check_payload("c", true))});
  std::vector<Event> events = {
      make_event("r1", EventType::kAssetMaterialization, "a", materialization_payload("v")),
      make_event("r1", EventType::kAssetObservation, "src", R"({"data_version": "o"})"),
      make_event("r1", EventType::kAssetCheckEvaluation, "a", check_payload("c", false)),
      make_event("r1", EventType::kDynamicPartitionsAdded, "", R"({"name": "m", "keys": ["k"]})"),
      make_event("no-such-run", EventType::kLog, ""),
  };
  EXPECT_THROW(storage_->append_events(events), StorageError);
  EXPECT_TRUE(storage_->asset_versions().empty());
  EXPECT_TRUE(storage_->latest_observations().empty());
  ASSERT_EQ(storage_->latest_check_results("a").size(), 1u);
  EXPECT_TRUE(storage_->latest_check_results("a")[0].passed);
  EXPECT_TRUE(storage_->all_dynamic_partitions().empty());
  EXPECT_EQ(storage_->last_event_id(), 1);
}

TEST_F(AssetIndexTest, AssetHistoryIsNewestFirstWithPagingAndFilters) {
  const auto events = append({
      make_event("r1", EventType::kStepStart, "a"),
      make_event("r1", EventType::kAssetMaterialization, "a", materialization_payload("1")),
      make_event("r1", EventType::kAssetMaterialization, "b", materialization_payload("x")),
      make_event("r1", EventType::kAssetCheckEvaluation, "a", check_payload("c", true)),
      make_event("r1", EventType::kStepSuccess, "a"),
      partitioned(
          make_event("r2", EventType::kAssetMaterialization, "a", materialization_payload("2")),
          "p1"),
      make_event("r2", EventType::kAssetObservation, "a", R"({"data_version": "o"})"),
      make_event("r2", EventType::kAssetMaterialization, "a", materialization_payload("3")),
  });
  auto ids = [](const std::vector<Event>& history) {
    std::vector<std::int64_t> ids;
    for (const Event& event : history) ids.push_back(event.id);
    return ids;
  };
  const auto all = storage_->asset_history("a", {});
  EXPECT_THAT(ids(all),
              ElementsAre(events[7].id, events[6].id, events[5].id, events[3].id, events[1].id));
  EXPECT_EQ(all[0].run_id, "r2");
  EXPECT_EQ(all[4].run_id, "r1");
  EXPECT_EQ(all[2].partition_key, "p1");

  AssetHistoryFilter page;
  page.limit = 2;
  const auto first = storage_->asset_history("a", page);
  EXPECT_THAT(ids(first), ElementsAre(events[7].id, events[6].id));
  page.before_id = first.back().id;
  EXPECT_THAT(ids(storage_->asset_history("a", page)), ElementsAre(events[5].id, events[3].id));
  page.before_id = events[3].id;
  EXPECT_THAT(ids(storage_->asset_history("a", page)), ElementsAre(events[1].id));

  AssetHistoryFilter materializations;
  materializations.types = {EventType::kAssetMaterialization};
  EXPECT_THAT(ids(storage_->asset_history("a", materializations)),
              ElementsAre(events[7].id, events[5].id, events[1].id));
  materializations.partition_key = "p1";
  EXPECT_THAT(ids(storage_->asset_history("a", materializations)), ElementsAre(events[5].id));

  AssetHistoryFilter steps;
  steps.types = {EventType::kStepStart, EventType::kStepSuccess};
  EXPECT_THAT(ids(storage_->asset_history("a", steps)), ElementsAre(events[4].id, events[0].id));
  EXPECT_TRUE(storage_->asset_history("missing", {}).empty());
}

TEST_F(AssetIndexTest, EventsAfterFollowsEveryRunByType) {
  EXPECT_EQ(storage_->last_event_id(), 0);
  const auto events = append({
      make_event("r1", EventType::kRunStart, ""),
      make_event("r1", EventType::kAssetMaterialization, "a", materialization_payload("1")),
      make_event("r1", EventType::kLog, "a"),
      make_event("r1", EventType::kRunSuccess, ""),
  });
  const auto more = append({
      make_event("r2", EventType::kAssetMaterialization, "b", materialization_payload("1")),
      make_event("r2", EventType::kRunFailure, ""),
  });
  EXPECT_EQ(storage_->last_event_id(), more[1].id);

  const std::vector<EventType> followed = {EventType::kAssetMaterialization, EventType::kRunSuccess,
                                           EventType::kRunFailure};
  const auto found = storage_->events_after(0, followed, 0);
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0].id, events[1].id);
  EXPECT_EQ(found[0].run_id, "r1");
  EXPECT_EQ(found[0].asset_key, "a");
  EXPECT_EQ(found[1].type, EventType::kRunSuccess);
  EXPECT_EQ(found[2].run_id, "r2");
  EXPECT_EQ(found[3].type, EventType::kRunFailure);

  const auto limited = storage_->events_after(events[1].id, followed, 2);
  ASSERT_EQ(limited.size(), 2u);
  EXPECT_EQ(limited[0].id, events[3].id);
  EXPECT_EQ(limited[1].id, more[0].id);
  EXPECT_TRUE(storage_->events_after(more[1].id, followed, 0).empty());
  EXPECT_EQ(storage_->events_after(events[2].id, {}, 0).size(), 3u);
}

}  // namespace
}  // namespace cairn
