#pragma once
/// @file resource.hpp
/// A service injected into assets (a database client, a model store, a clock), registered by key
/// in Definitions::resources so that environments can swap it without touching asset code.

#include <memory>
#include <typeinfo>

namespace cairn {

class Resource {
 public:
  /// @code
  ///   defs.resources.emplace("warehouse", cairn::Resource(std::make_shared<Warehouse>(dsn)));
  /// @endcode
  template <class R>
  explicit Resource(std::shared_ptr<R> object) : object_(std::move(object)), type_(&typeid(R)) {}

  void* get() const { return object_.get(); }
  const std::type_info& type() const { return *type_; }

 private:
  std::shared_ptr<void> object_;
  const std::type_info* type_;
};

}  // namespace cairn
