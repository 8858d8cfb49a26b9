#pragma once
// Loan applications: reading the lending_club extract and replaying it as daily batches.
//
// The data set (Lending Club, Q1 2016) has no application dates, so the pipeline replays it as
// 91 daily batches, 2016-01-01 .. 2016-03-31: row i of the file (0-based, header excluded) is an
// application of day i mod 91. Dealing the rows out like cards keeps every day's class mix and
// feature distributions close to the whole file's (about 108 applications and 5-6 defaults a
// day), so a day looks like any other unless its data really changed. A contiguous slicing
// (rows 0-107 on day 1, ...) was rejected: the file's order is not random, and days would
// differ for no reason a reader could see.

#include <cairn/ml/table.hpp>
#include <cairn/partitions.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace credit {

/// The replayed calendar: daily partitions [kFirstDay, kEndDay), UTC.
inline constexpr const char* kFirstDay = "2016-01-01";
inline constexpr const char* kEndDay = "2016-04-01";  // exclusive
inline constexpr int kReplayDays = 91;
/// The first day of "new" applications: scored by batch_predictions and compared with the
/// training data by feature_drift. Days before it are the history models train on.
inline constexpr const char* kFirstNewDay = "2016-03-01";

/// Daily partitions of every replay day, and of the new days only.
cairn::PartitionsDefinition replay_days();
cairn::PartitionsDefinition new_days();

/// The CSV to read: $CREDIT_APPLICATIONS_CSV if set, else the committed data/lending_club.csv
/// (its absolute path is compiled in as CREDIT_DEFAULT_CSV).
std::string applications_csv_path();

/// The whole file with an int64 `application_id` column first: the file's own column of that
/// name when it has one (an export from a loan system would), else the 1-based row number.
/// Parsed once per process and file version (path, size, modification time): the 91 daily
/// partitions of one run share one parse. Thread-safe. Throws cairn::ml::CsvError for an
/// unreadable file.
std::shared_ptr<const cairn::ml::Table> read_applications(const std::string& path);

/// The replay day (0 .. kReplayDays-1) of a day key "YYYY-MM-DD" in [kFirstDay, kEndDay).
/// Throws cairn::Error naming the key otherwise.
int day_index(std::string_view day_key);

/// The applications of one replay day: rows i with i mod kReplayDays == day_index(day_key).
cairn::ml::Table applications_of_day(const cairn::ml::Table& all, std::string_view day_key);

/// The rows of several tables with the same columns, one after the other. Throws
/// cairn::ml::TableError if the columns differ.
cairn::ml::Table concat(const std::vector<const cairn::ml::Table*>& tables);

}  // namespace credit
