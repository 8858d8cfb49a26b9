#pragma once
// For the model tests: the lending_club extract as a matrix (read with cairn's own CSV reader),
// and the python oracle (Debian's /usr/bin/python3 with xgboost and scikit-learn) that the
// interop and accuracy tests call with matrices written as .npy files, so both sides see exactly
// the same float32 values.

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "cairn/ml/csv.hpp"
#include "cairn/ml/matrix.hpp"
#include "cairn/ml/model_error.hpp"
#include "e2e/process.hpp"

namespace cairn::testing {

/// Numeric columns of data/lending_club.csv (no missing values in the extract).
inline const std::vector<std::string> kLendingClubFeatures = {
    "funded_amnt", "int_rate",   "annual_inc",   "delinq_2yrs", "inq_last_6mths",
    "revol_util",  "open_il_6m", "open_il_12m",  "open_il_24m", "total_bal_il",
    "all_util",    "inq_fi",     "inq_last_12m", "num_il_tl",   "total_il_high_credit_limit"};

struct LabeledMatrix {
  ml::Matrix x;
  std::vector<double> y;
};

/// The chosen numeric columns of data/lending_club.csv and the label Class (bad = 1, good = 0).
inline LabeledMatrix load_lending_club(const std::vector<std::string>& features) {
  ml::Table table = ml::read_csv(std::string(CAIRN_SOURCE_DIR) + "/data/lending_club.csv");
  LabeledMatrix data{table.to_matrix(features), {}};
  const ml::Column& label = table.column("Class");
  for (std::size_t i = 0; i < label.size(); ++i) {
    data.y.push_back(label.string_at(i) == "bad" ? 1.0 : 0.0);
  }
  return data;
}

/// Rows where `row % k == r` (or != r with `keep = false`): a deterministic split.
inline LabeledMatrix every_kth(const LabeledMatrix& data, std::size_t k, std::size_t r, bool keep) {
  LabeledMatrix out;
  out.x.cols = data.x.cols;
  out.x.column_names = data.x.column_names;
  for (std::size_t i = 0; i < data.x.rows; ++i) {
    if ((i % k == r) != keep) continue;
    out.x.values.insert(out.x.values.end(), data.x.values.begin() + i * data.x.cols,
                        data.x.values.begin() + (i + 1) * data.x.cols);
    out.y.push_back(data.y[i]);
    ++out.x.rows;
  }
  return out;
}

/// Writes a little-endian .npy file (format 1.0) holding `values` with `shape`.
template <class T>
void write_npy(const std::filesystem::path& path, const std::vector<T>& values,
               std::vector<std::size_t> shape) {
  static_assert(std::endian::native == std::endian::little);
  std::string descr = sizeof(T) == 4 ? "<f4" : "<f8";
  std::string dims;
  for (std::size_t d : shape) dims += std::to_string(d) + ", ";
  std::string header =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  std::uint16_t length = static_cast<std::uint16_t>(header.size());
  out.write(reinterpret_cast<const char*>(&length), 2);
  out << header;
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(T)));
}

/// Reads a .npy file of float64 values written by numpy (format 1.0, C order).
inline std::vector<double> read_npy_f64(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
    throw std::runtime_error("not an .npy file: " + path.string());
  }
  std::size_t length = static_cast<unsigned char>(bytes[8]) |
                       (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
  std::string header = bytes.substr(10, length);
  if (header.find("'<f8'") == std::string::npos) {
    throw std::runtime_error(path.string() + " does not hold float64 values: " + header);
  }
  std::vector<double> values((bytes.size() - 10 - length) / sizeof(double));
  std::memcpy(values.data(), bytes.data() + 10 + length, values.size() * sizeof(double));
  return values;
}

inline void write_matrix_npy(const std::filesystem::path& path, const ml::Matrix& x) {
  write_npy(path, x.values, {x.rows, x.cols});
}

/// The message of the ModelError `f` throws, or "no ModelError".
template <class F>
std::string model_error_of(F&& f) {
  try {
    f();
  } catch (const ml::ModelError& e) {
    return e.what();
  }
  return "no ModelError";
}

inline const char* kPython = "/usr/bin/python3";

/// Empty when /usr/bin/python3 imports `modules`; otherwise why not, and how to fix it.
inline std::string python_missing(const std::string& modules) {
  if (!std::filesystem::exists(kPython)) {
    return std::string(kPython) + " is missing; run scripts/setup.sh";
  }
  ProcessResult r = run_process({kPython, "-c", "import " + modules});
  if (r.exit_code != 0) {
    return std::string(kPython) + " cannot import " + modules + " (" + r.err +
           "); run scripts/setup.sh to install python3-xgboost and python3-sklearn";
  }
  return "";
}

/// Runs tests/oracle/<script> with a JSON list of jobs and returns the list of results it prints.
/// One python process for several jobs: importing xgboost or scikit-learn takes seconds.
inline nlohmann::json run_oracle(const std::string& script, const nlohmann::json& jobs,
                                 const std::filesystem::path& dir) {
  std::filesystem::path job_file = dir / (script + ".jobs.json");
  std::ofstream(job_file) << jobs.dump(2);
  ProcessResult r = run_process(
      {kPython, std::string(CAIRN_SOURCE_DIR) + "/tests/oracle/" + script, job_file.string()});
  if (r.exit_code != 0) {
    throw std::runtime_error(script + " failed (exit " + std::to_string(r.exit_code) +
                             "): " + r.err);
  }
  return nlohmann::json::parse(r.out);
}

}  // namespace cairn::testing
