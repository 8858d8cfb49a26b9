// CSV loading throughput: reads one file with cairn::ml::read_csv (types inferred, default
// options) and prints one JSON line with the time, MB/s and the process's peak resident memory.
// bench/csv_vs_pandas.sh runs it beside pandas.read_csv on the same file.
//
//   cairn_csv_bench FILE [--threads N]

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "cairn/ml/csv.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: cairn_csv_bench FILE [--threads N]\n");
    return 2;
  }
  std::filesystem::path path = argv[1];
  cairn::ml::CsvOptions options;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--threads") == 0) {
      options.threads = static_cast<unsigned>(std::stoul(argv[i + 1]));
    } else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  try {
    auto start = std::chrono::steady_clock::now();
    cairn::ml::Table table = cairn::ml::read_csv(path, options);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    double mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
    std::string types;
    for (std::size_t c = 0; c < table.num_columns(); ++c) {
      types += (c > 0 ? ", \"" : "\"") + table.column_name(c) + "\": \"" +
               std::string(cairn::ml::to_string(table.column(c).type())) + "\"";
    }
    std::printf(
        "{\"tool\": \"cairn\", \"rows\": %zu, \"mb\": %.2f, \"seconds\": %.4f, \"mb_per_s\": %.1f, "
        "\"peak_rss_mb\": %.1f, \"types\": {%s}}\n",
        table.num_rows(), mb, seconds, mb / seconds, static_cast<double>(usage.ru_maxrss) / 1024.0,
        types.c_str());
  } catch (const cairn::Error& e) {
    std::fprintf(stderr, "cairn_csv_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
