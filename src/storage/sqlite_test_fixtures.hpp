#pragma once
// Records and a raw SQL reader shared by the tests of the SQLite backend's automation side
// (sqlite_asset_index_test.cpp, sqlite_automation_store_test.cpp).

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "core/event.hpp"
#include "core/run_record.hpp"

namespace cairn::testing {

/// A QUEUED run of job "daily" created at `created_at`.
inline RunRecord make_run(const std::string& id, double created_at = 1.0) {
  RunRecord run;
  run.run_id = id;
  run.job_name = "daily";
  run.selection = "credit/*";
  run.created_at = created_at;
  run.root_run_id = id;
  return run;
}

inline Event make_event(const std::string& run_id, EventType type, const std::string& asset_key,
                        const std::string& payload_json = "", double timestamp = 10.0) {
  Event event;
  event.run_id = run_id;
  event.type = type;
  event.asset_key = asset_key;
  event.step_key = asset_key;
  event.payload_json = payload_json;
  event.timestamp = timestamp;
  return event;
}

/// Runs `sql` on a connection of its own and returns the first column of the first row as text
/// ("" when there is none).
inline std::string query(const std::filesystem::path& db_file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(db_file.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::string result;
  const int rc = sqlite3_step(stmt);
  EXPECT_TRUE(rc == SQLITE_ROW || rc == SQLITE_DONE) << sqlite3_errmsg(db);
  if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    result = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return result;
}

}  // namespace cairn::testing
