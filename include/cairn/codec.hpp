#pragma once
/// @file codec.hpp
/// How an asset's value becomes bytes for an IO manager, and back.
///
/// A codec is a specialization of `cairn::Codec<T>` with three members:
/// @code
///   template <>
///   struct cairn::Codec<MyType> {
///     static constexpr const char* name = "my_type/v1";         // recorded with each value
///     static std::string encode(const MyType& value);            // any bytes
///     static MyType decode(std::string_view bytes);              // throw cairn::Error if bad
///   };
/// @endcode
/// cairn ships codecs for arithmetic types, std::string, byte vectors and vectors of numbers
/// and strings; `cairn/json.hpp` adds one for nlohmann::json. The formats are documented in
/// docs/storage.md. An asset whose type has no codec can still be stored by the in-memory IO
/// manager (`.io_manager("memory")`); Definitions validation says so if it is not.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <vector>

namespace cairn {

template <class T>
struct Codec;  // specialize for your type; see above

namespace detail {
std::string encode_int64(std::int64_t v);
std::int64_t decode_int64(std::string_view bytes);
std::string encode_uint64(std::uint64_t v);
std::uint64_t decode_uint64(std::string_view bytes);
std::string encode_double(double v);
double decode_double(std::string_view bytes);
std::string encode_f64_vector(const std::vector<double>& v);
std::vector<double> decode_f64_vector(std::string_view bytes);
std::string encode_i64_vector(const std::vector<std::int64_t>& v);
std::vector<std::int64_t> decode_i64_vector(std::string_view bytes);
std::string encode_string_vector(const std::vector<std::string>& v);
std::vector<std::string> decode_string_vector(std::string_view bytes);
[[noreturn]] void throw_decode_error(std::string_view codec, std::string_view why);
}  // namespace detail

/// Integers are stored as decimal text, so a stored value can be read with `cat`.
template <class T>
requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) struct Codec<T> {
  static constexpr const char* name = std::is_signed_v<T> ? "int/text" : "uint/text";
  static std::string encode(const T& v) {
    if constexpr (std::is_signed_v<T>) {
      return detail::encode_int64(static_cast<std::int64_t>(v));
    } else {
      return detail::encode_uint64(static_cast<std::uint64_t>(v));
    }
  }
  static T decode(std::string_view bytes) {
    if constexpr (std::is_signed_v<T>) {
      return static_cast<T>(detail::decode_int64(bytes));
    } else {
      return static_cast<T>(detail::decode_uint64(bytes));
    }
  }
};

template <>
struct Codec<bool> {
  static constexpr const char* name = "bool/text";
  static std::string encode(const bool& v) { return v ? "true" : "false"; }
  static bool decode(std::string_view bytes) {
    if (bytes == "true") return true;
    if (bytes == "false") return false;
    detail::throw_decode_error(name, "expected 'true' or 'false'");
  }
};

/// Floating-point numbers are stored as shortest round-trip decimal text.
template <class T>
requires std::is_floating_point_v<T>
struct Codec<T> {
  static constexpr const char* name = "float/text";
  static std::string encode(const T& v) { return detail::encode_double(static_cast<double>(v)); }
  static T decode(std::string_view bytes) { return static_cast<T>(detail::decode_double(bytes)); }
};

/// Strings are stored as their raw bytes.
template <>
struct Codec<std::string> {
  static constexpr const char* name = "string/raw";
  static std::string encode(const std::string& v) { return v; }
  static std::string decode(std::string_view bytes) { return std::string(bytes); }
};

/// Byte blobs are stored as their raw bytes.
template <>
struct Codec<std::vector<std::uint8_t>> {
  static constexpr const char* name = "bytes/raw";
  static std::string encode(const std::vector<std::uint8_t>& v) {
    return std::string(v.begin(), v.end());
  }
  static std::vector<std::uint8_t> decode(std::string_view bytes) {
    return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
  }
};

/// Vectors of doubles: a small header then little-endian IEEE-754 values (docs/storage.md).
template <>
struct Codec<std::vector<double>> {
  static constexpr const char* name = "f64vec/v1";
  static std::string encode(const std::vector<double>& v) { return detail::encode_f64_vector(v); }
  static std::vector<double> decode(std::string_view b) { return detail::decode_f64_vector(b); }
};

template <>
struct Codec<std::vector<std::int64_t>> {
  static constexpr const char* name = "i64vec/v1";
  static std::string encode(const std::vector<std::int64_t>& v) {
    return detail::encode_i64_vector(v);
  }
  static std::vector<std::int64_t> decode(std::string_view b) {
    return detail::decode_i64_vector(b);
  }
};

/// Vectors of strings: one length-prefixed entry after another (docs/storage.md).
template <>
struct Codec<std::vector<std::string>> {
  static constexpr const char* name = "strvec/v1";
  static std::string encode(const std::vector<std::string>& v) {
    return detail::encode_string_vector(v);
  }
  static std::vector<std::string> decode(std::string_view b) {
    return detail::decode_string_vector(b);
  }
};

/// True when `cairn::Codec<T>` has been specialized.
template <class T>
concept HasCodec = requires(const T& v, std::string_view b) {
  { Codec<T>::encode(v) } -> std::convertible_to<std::string>;
  { Codec<T>::decode(b) } -> std::convertible_to<T>;
};

/// A value of any asset type, shared between the step that produced it and its consumers.
struct AnyValue {
  std::shared_ptr<const void> ptr;
  const std::type_info* type = nullptr;

  template <class T>
  static AnyValue of(T value) {
    return AnyValue{std::make_shared<const T>(std::move(value)), &typeid(T)};
  }
  template <class T>
  const T& as() const {
    return *static_cast<const T*>(ptr.get());
  }
  explicit operator bool() const { return ptr != nullptr; }
};

/// A codec with its type erased, as the engine and IO managers see it. `encode`/`decode` are
/// null when the type has no codec.
struct ValueCodec {
  std::string name;
  std::string (*encode)(const AnyValue&) = nullptr;
  AnyValue (*decode)(std::string_view) = nullptr;
};

template <class T>
ValueCodec value_codec_for() {
  if constexpr (HasCodec<T>) {
    return ValueCodec{Codec<T>::name,
                      [](const AnyValue& v) -> std::string { return Codec<T>::encode(v.as<T>()); },
                      [](std::string_view b) { return AnyValue::of<T>(Codec<T>::decode(b)); }};
  } else {
    return ValueCodec{};
  }
}

}  // namespace cairn
