#include "schema/caveats/types.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace rebac::schema::caveats {
namespace {

const Type& DynType() {
  static const Type* const kDyn = new Type();
  return *kDyn;
}

Type ToCel(const Type& declared) {
  switch (declared.kind) {
    case Type::Kind::kUint:
      return Type::Of(Type::Kind::kInt);
    case Type::Kind::kList:
      return Type::List(ToCel(*declared.element));
    case Type::Kind::kMap:
      return Type::Map(ToCel(*declared.element));
    default:
      return declared;
  }
}

// Recursive descent over "name" | "name<arg>"; depth is bounded by the schema parser already,
// but a caller may hand us anything, so bound it here too.
absl::StatusOr<Type> ParseType(absl::string_view* text, int depth) {
  if (depth > 100) return absl::InvalidArgumentError("parameter type nested too deeply");
  size_t end = 0;
  while (end < text->size() && ((*text)[end] >= 'a' && (*text)[end] <= 'z')) ++end;
  const absl::string_view name = text->substr(0, end);
  text->remove_prefix(end);
  static constexpr std::pair<absl::string_view, Type::Kind> kBasic[] = {
      {"any", Type::Kind::kDyn},
      {"bool", Type::Kind::kBool},
      {"string", Type::Kind::kString},
      {"int", Type::Kind::kInt},
      {"uint", Type::Kind::kUint},
      {"double", Type::Kind::kDouble},
      {"bytes", Type::Kind::kBytes},
      {"duration", Type::Kind::kDuration},
      {"timestamp", Type::Kind::kTimestamp},
      {"ipaddress", Type::Kind::kIpAddress},
  };
  for (const auto& [spelling, kind] : kBasic) {
    if (name == spelling) return Type::Of(kind);
  }
  if (name != "list" && name != "map") {
    return absl::InvalidArgumentError(absl::StrCat("unknown type `", name, "`"));
  }
  if (!absl::ConsumePrefix(text, "<")) {
    return absl::InvalidArgumentError(absl::StrCat("type `", name, "` requires 1 generic types"));
  }
  absl::StatusOr<Type> element = ParseType(text, depth + 1);
  if (!element.ok()) return element.status();
  if (!absl::ConsumePrefix(text, ">")) {
    return absl::InvalidArgumentError(absl::StrCat("malformed type `", name, "`"));
  }
  return name == "list" ? Type::List(*std::move(element)) : Type::Map(*std::move(element));
}

}  // namespace

Type Type::List(Type element) {
  return Type{Kind::kList, std::make_shared<const Type>(std::move(element))};
}

Type Type::Map(Type value) {
  return Type{Kind::kMap, std::make_shared<const Type>(std::move(value))};
}

const Type& Type::Element() const { return element ? *element : DynType(); }

std::string Type::CelName() const {
  switch (kind) {
    case Kind::kDyn:
      return "dyn";
    case Kind::kNull:
      return "null_type";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kUint:
      return "uint";
    case Kind::kDouble:
      return "double";
    case Kind::kString:
      return "string";
    case Kind::kBytes:
      return "bytes";
    case Kind::kDuration:
      return "google.protobuf.Duration";
    case Kind::kTimestamp:
      return "google.protobuf.Timestamp";
    case Kind::kIpAddress:
      return "IPAddress";
    case Kind::kList:
      return absl::StrCat("list(", Element().CelName(), ")");
    case Kind::kMap:
      return absl::StrCat("map(string, ", Element().CelName(), ")");
  }
  return "dyn";
}

bool Type::operator==(const Type& other) const {
  if (kind != other.kind) return false;
  if (kind != Kind::kList && kind != Kind::kMap) return true;
  return Element() == other.Element();
}

absl::StatusOr<ParameterType> ParseParameterType(absl::string_view spelling) {
  absl::string_view rest = spelling;
  absl::StatusOr<Type> declared = ParseType(&rest, 0);
  if (!declared.ok()) return declared.status();
  if (!rest.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("malformed type `", spelling, "`"));
  }
  ParameterType out;
  out.spelling = std::string(spelling);
  out.cel = ToCel(*declared);
  out.declared = *std::move(declared);
  return out;
}

}  // namespace rebac::schema::caveats
