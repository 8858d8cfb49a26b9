#include "core/data_version.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

namespace cairn {

namespace {

// Fractional digits of pi (seeds) and the odd multipliers of SplitMix64's finalizer: any fixed
// constants would do, these are well-spread bit patterns. Changing one changes every stored
// version.
constexpr std::uint64_t kSeedA = 0x243f6a8885a308d3ULL;
constexpr std::uint64_t kSeedB = 0x13198a2e03707344ULL;
constexpr std::uint64_t kMulA = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t kMulB = 0xc2b2ae3d27d4eb4fULL;

std::uint64_t scramble(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Little-endian whatever the host, so versions agree across machines.
std::uint64_t load_word(const char* p, std::size_t n) {
  std::uint64_t word = 0;
  for (std::size_t i = 0; i < n; ++i) {
    word |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  return word;
}

void append_hex(std::string& out, std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kDigits[(value >> shift) & 0xf]);
}

}  // namespace

StableHash::StableHash() : lane_a_(kSeedA), lane_b_(kSeedB) {}

void StableHash::mix_word(std::uint64_t word) {
  lane_a_ = std::rotl(lane_a_ ^ scramble(word ^ kSeedB), 29) * kMulA;
  lane_b_ = std::rotl(lane_b_ ^ scramble(word + kSeedA), 23) * kMulB + words_;
  ++words_;
}

StableHash& StableHash::add(std::string_view field) {
  mix_word(field.size());
  std::size_t i = 0;
  for (; i + 8 <= field.size(); i += 8) mix_word(load_word(field.data() + i, 8));
  // The length framing makes the zero padding of the last word unambiguous.
  if (i < field.size()) mix_word(load_word(field.data() + i, field.size() - i));
  return *this;
}

std::string StableHash::hex() const {
  std::string out;
  out.reserve(32);
  append_hex(out, scramble(lane_a_ ^ words_));
  append_hex(out, scramble(lane_b_ + words_ * kMulA));
  return out;
}

std::string derive_data_version(std::string_view code_version, std::string_view config_hash,
                                std::span<const InputVersion> inputs) {
  std::vector<const InputVersion*> sorted;
  sorted.reserve(inputs.size());
  for (const InputVersion& input : inputs) sorted.push_back(&input);
  std::sort(sorted.begin(), sorted.end(), [](const InputVersion* a, const InputVersion* b) {
    if (a->asset_key != b->asset_key) return a->asset_key < b->asset_key;
    if (a->partition_key != b->partition_key) return a->partition_key < b->partition_key;
    return a->data_version < b->data_version;
  });
  StableHash hash;
  hash.add("cairn.data_version.1").add(code_version).add(config_hash);
  hash.add(std::to_string(sorted.size()));
  for (const InputVersion* input : sorted) {
    hash.add(input->asset_key).add(input->partition_key).add(input->data_version);
  }
  return hash.hex();
}

std::string config_hash(std::string_view canonical_config_json) {
  if (canonical_config_json.empty()) return "";
  return StableHash().add("cairn.config.1").add(canonical_config_json).hex();
}

}  // namespace cairn
