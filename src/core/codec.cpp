#include "cairn/codec.hpp"

#include <bit>
#include <charconv>
#include <cstring>
#include <string>

#include "cairn/error.hpp"

namespace cairn::detail {

namespace {
constexpr std::string_view kF64Magic = "cairn.f64vec.1\n";
constexpr std::string_view kI64Magic = "cairn.i64vec.1\n";
constexpr std::string_view kStrMagic = "cairn.strvec.1\n";

template <class N>
N parse_number(std::string_view codec, std::string_view bytes) {
  N value{};
  auto [end, ec] = std::from_chars(bytes.data(), bytes.data() + bytes.size(), value);
  if (ec != std::errc() || end != bytes.data() + bytes.size()) {
    throw_decode_error(codec, "'" + std::string(bytes.substr(0, 40)) + "' is not a number");
  }
  return value;
}

template <class N>
std::string encode_numbers(std::string_view magic, const std::vector<N>& v) {
  static_assert(std::endian::native == std::endian::little, "codecs assume little-endian");
  std::string out(magic);
  std::size_t header = out.size();
  out.resize(header + v.size() * sizeof(N));
  if (!v.empty()) std::memcpy(out.data() + header, v.data(), v.size() * sizeof(N));
  return out;
}

template <class N>
std::vector<N> decode_numbers(std::string_view codec, std::string_view magic,
                              std::string_view bytes) {
  if (bytes.substr(0, magic.size()) != magic) throw_decode_error(codec, "missing header");
  bytes.remove_prefix(magic.size());
  if (bytes.size() % sizeof(N) != 0) throw_decode_error(codec, "truncated data");
  std::vector<N> v(bytes.size() / sizeof(N));
  if (!v.empty()) std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}
}  // namespace

void throw_decode_error(std::string_view codec, std::string_view why) {
  throw Error("cannot decode a stored value with codec '" + std::string(codec) +
              "': " + std::string(why) +
              "; the value was written by another type or codec version, re-materialize the asset");
}

std::string encode_int64(std::int64_t v) {
  return std::to_string(v);
}
std::int64_t decode_int64(std::string_view b) {
  return parse_number<std::int64_t>("int/text", b);
}
std::string encode_uint64(std::uint64_t v) {
  return std::to_string(v);
}
std::uint64_t decode_uint64(std::string_view b) {
  return parse_number<std::uint64_t>("uint/text", b);
}

std::string encode_double(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, end);
}
double decode_double(std::string_view b) {
  return parse_number<double>("float/text", b);
}

std::string encode_f64_vector(const std::vector<double>& v) {
  return encode_numbers(kF64Magic, v);
}
std::vector<double> decode_f64_vector(std::string_view b) {
  return decode_numbers<double>("f64vec/v1", kF64Magic, b);
}
std::string encode_i64_vector(const std::vector<std::int64_t>& v) {
  return encode_numbers(kI64Magic, v);
}
std::vector<std::int64_t> decode_i64_vector(std::string_view b) {
  return decode_numbers<std::int64_t>("i64vec/v1", kI64Magic, b);
}

std::string encode_string_vector(const std::vector<std::string>& v) {
  std::string out(kStrMagic);
  for (const auto& s : v) {
    std::uint64_t n = s.size();
    out.append(reinterpret_cast<const char*>(&n), sizeof(n));
    out.append(s);
  }
  return out;
}

std::vector<std::string> decode_string_vector(std::string_view b) {
  if (b.substr(0, kStrMagic.size()) != kStrMagic) throw_decode_error("strvec/v1", "missing header");
  b.remove_prefix(kStrMagic.size());
  std::vector<std::string> v;
  while (!b.empty()) {
    std::uint64_t n = 0;
    if (b.size() < sizeof(n)) throw_decode_error("strvec/v1", "truncated length");
    std::memcpy(&n, b.data(), sizeof(n));
    b.remove_prefix(sizeof(n));
    if (b.size() < n) throw_decode_error("strvec/v1", "truncated entry");
    v.emplace_back(b.substr(0, n));
    b.remove_prefix(n);
  }
  return v;
}

}  // namespace cairn::detail
