#include "schema/caveats/struct_adapter.h"

#include <string>
#include <utility>

#include "absl/status/status.h"

namespace rebac::schema::caveats {
namespace {

constexpr int kMaxDepth = 100;

absl::StatusOr<ValueMap> StructAt(const google::protobuf::Struct& fields, int depth);

absl::StatusOr<Value> ValueAt(const google::protobuf::Value& value, int depth) {
  if (depth > kMaxDepth) return absl::InvalidArgumentError("context nested too deeply");
  switch (value.kind_case()) {
    case google::protobuf::Value::kNullValue:
    case google::protobuf::Value::KIND_NOT_SET:
      return Value();
    case google::protobuf::Value::kNumberValue:
      return Value::Double(value.number_value());
    case google::protobuf::Value::kStringValue:
      return Value::String(value.string_value());
    case google::protobuf::Value::kBoolValue:
      return Value::Bool(value.bool_value());
    case google::protobuf::Value::kStructValue: {
      absl::StatusOr<ValueMap> map = StructAt(value.struct_value(), depth + 1);
      if (!map.ok()) return map.status();
      return Value::Map(*std::move(map));
    }
    case google::protobuf::Value::kListValue: {
      ValueList items;
      items.reserve(value.list_value().values_size());
      for (const google::protobuf::Value& item : value.list_value().values()) {
        absl::StatusOr<Value> converted = ValueAt(item, depth + 1);
        if (!converted.ok()) return converted.status();
        items.push_back(*std::move(converted));
      }
      return Value::List(std::move(items));
    }
  }
  return Value();
}

absl::StatusOr<ValueMap> StructAt(const google::protobuf::Struct& fields, int depth) {
  ValueMap out;
  for (const auto& [key, value] : fields.fields()) {
    absl::StatusOr<Value> converted = ValueAt(value, depth + 1);
    if (!converted.ok()) return converted.status();
    out.emplace(key, *std::move(converted));
  }
  return out;
}

}  // namespace

absl::StatusOr<Value> FromProtoValue(const google::protobuf::Value& value) {
  return ValueAt(value, 0);
}

absl::StatusOr<ValueMap> FromStruct(const google::protobuf::Struct& fields) {
  return StructAt(fields, 0);
}

}  // namespace rebac::schema::caveats
