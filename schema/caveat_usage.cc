#include "schema/caveat_usage.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"

namespace rebac::schema::internal {

std::optional<SchemaError> CheckCaveatParameterUsage(const AstFile& file,
                                                     const std::vector<Caveat>& caveats) {
  size_t next = 0;
  for (const AstItem& item : file.items) {
    const auto* ast = std::get_if<AstCaveat>(&item);
    if (ast == nullptr) continue;
    if (next >= caveats.size()) break;
    const Caveat& caveat = caveats[next++];
    if (caveat.compiled == nullptr) continue;
    const std::vector<std::string>& used = caveat.compiled->referenced_parameters();
    // SpiceDB walks a map, so which unused parameter it names first varies; we name the first
    // in source order.
    for (const AstCaveatParameter& parameter : ast->parameters) {
      if (!std::binary_search(used.begin(), used.end(), parameter.name)) {
        return MakeError(
            SchemaError::Kind::kType,
            absl::StrCat("parameter `", parameter.name, "` for caveat `", ast->name, "` is unused"),
            parameter.pos, parameter.name);
      }
    }
  }
  return std::nullopt;
}

}  // namespace rebac::schema::internal
