#include "ml/model_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cairn/ml/model_error.hpp"
#include "core/atomic_file.hpp"

namespace cairn::ml::detail {

std::string read_model_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ModelError("cannot read the model file '" + path + "': " + std::strerror(errno));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return std::move(buffer).str();
}

void write_model_file(const std::string& path, std::string_view bytes) {
  if (std::error_code error = write_file_atomically(path, bytes)) {
    throw ModelError("cannot write the model file '" + path + "': " + error.message());
  }
}

std::string extension_of(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  return ext.empty() ? ext : ext.substr(1);
}

}  // namespace cairn::ml::detail
