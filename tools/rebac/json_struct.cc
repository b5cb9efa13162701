#include "tools/rebac/json_struct.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace rebac::cli {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

void ToValue(const nlohmann::json& json, Value* out);

void ToStruct(const nlohmann::json& json, Struct* out) {
  for (const auto& [key, item] : json.items()) ToValue(item, &(*out->mutable_fields())[key]);
}

void ToValue(const nlohmann::json& json, Value* out) {
  switch (json.type()) {
    case nlohmann::json::value_t::null:
      out->set_null_value(google::protobuf::NULL_VALUE);
      break;
    case nlohmann::json::value_t::boolean:
      out->set_bool_value(json.get<bool>());
      break;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      out->set_number_value(json.get<double>());
      break;
    case nlohmann::json::value_t::string:
      out->set_string_value(json.get<std::string>());
      break;
    case nlohmann::json::value_t::array: {
      ListValue* list = out->mutable_list_value();
      for (const auto& item : json) ToValue(item, list->add_values());
      break;
    }
    case nlohmann::json::value_t::object:
      ToStruct(json, out->mutable_struct_value());
      break;
    default:  // binary and discarded values do not come out of parse()
      out->set_null_value(google::protobuf::NULL_VALUE);
      break;
  }
}

nlohmann::json FromValue(const Value& value);

nlohmann::json FromStruct(const Struct& value) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, item] : value.fields()) out[key] = FromValue(item);
  return out;
}

nlohmann::json FromNumber(double number) {
  constexpr double kExactLimit = 9007199254740992.0;  // 2^53
  if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) <= kExactLimit) {
    return static_cast<int64_t>(number);
  }
  if (!std::isfinite(number)) return nullptr;  // JSON has no NaN or infinity
  return number;
}

nlohmann::json FromValue(const Value& value) {
  switch (value.kind_case()) {
    case Value::kBoolValue:
      return value.bool_value();
    case Value::kNumberValue:
      return FromNumber(value.number_value());
    case Value::kStringValue:
      return value.string_value();
    case Value::kListValue: {
      nlohmann::json out = nlohmann::json::array();
      for (const Value& item : value.list_value().values()) out.push_back(FromValue(item));
      return out;
    }
    case Value::kStructValue:
      return FromStruct(value.struct_value());
    default:
      return nullptr;
  }
}

}  // namespace

absl::StatusOr<Struct> JsonToStruct(absl::string_view json) {
  nlohmann::json parsed =
      nlohmann::json::parse(json.begin(), json.end(), /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", json));
  }
  if (!parsed.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("expected a JSON object, got: ", json));
  }
  Struct out;
  ToStruct(parsed, &out);
  return out;
}

std::string StructToJson(const Struct& value) {
  return FromStruct(value).dump(/*indent=*/-1, /*indent_char=*/' ', /*ensure_ascii=*/false,
                                nlohmann::json::error_handler_t::replace);
}

}  // namespace rebac::cli
