#include "cairn/asset.hpp"

namespace cairn {

AssetDefinition::AssetDefinition() = default;
AssetDefinition::AssetDefinition(const AssetDefinition&) = default;
AssetDefinition::AssetDefinition(AssetDefinition&&) noexcept = default;
AssetDefinition& AssetDefinition::operator=(const AssetDefinition&) = default;
AssetDefinition& AssetDefinition::operator=(AssetDefinition&&) noexcept = default;
AssetDefinition::~AssetDefinition() = default;

}  // namespace cairn
