#include <mutex>
#include <unordered_map>

#include "cairn/error.hpp"
#include "cairn/io_manager.hpp"

namespace cairn {

namespace {

class MemoryIOManager final : public IOManager {
 public:
  std::string store(const ValueRef& ref, const AnyValue& value) override {
    std::string uri = "memory:" + ref.asset_key;
    if (!ref.partition_key.empty()) uri += "[" + ref.partition_key + "]";
    uri += "@" + ref.run_id;
    std::lock_guard lock(mutex_);
    values_[uri] = value;
    return uri;
  }

  AnyValue load(const ValueRef& ref, std::string_view uri) override {
    std::lock_guard lock(mutex_);
    auto it = values_.find(std::string(uri));
    if (it == values_.end()) {
      throw NotFoundError("the value of asset '" + ref.asset_key +
                          "' was kept in memory by the process that computed it, which has "
                          "ended; materialize the asset again");
    }
    return it->second;
  }

 private:
  std::mutex mutex_;  // guards values_
  std::unordered_map<std::string, AnyValue> values_;
};

}  // namespace

std::shared_ptr<IOManager> make_memory_io_manager() {
  return std::make_shared<MemoryIOManager>();
}

}  // namespace cairn
