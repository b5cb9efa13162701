// Conversion of client context (JSON-like values) into declared parameter types, with SpiceDB's
// rules and messages (pkg/caveats/types), and the google.protobuf.Struct adapter.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "schema/caveats/struct_adapter.h"
#include "tests/schema/caveat_test_support.h"

namespace rebac::schema::caveats {
namespace {

struct ConvertCase {
  std::string name;
  std::string type;
  std::string json;      // a JSON value
  std::string expected;  // DebugString of the result, or "error: ..."
};

class CaveatConvertTest : public ::testing::TestWithParam<ConvertCase> {};

TEST_P(CaveatConvertTest, Converts) {
  const ConvertCase& c = GetParam();
  auto type = ParseParameterType(c.type);
  ASSERT_TRUE(type.ok()) << type.status();
  auto converted = ConvertParameter(*type, testing::FromJson(nlohmann::json::parse(c.json)));
  const std::string actual = converted.ok() ? converted->DebugString()
                                            : absl::StrCat("error: ", converted.status().message());
  EXPECT_EQ(actual, c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    All, CaveatConvertTest,
    ::testing::ValuesIn(std::vector<ConvertCase>{
        {"int_from_integral_number", "int", "42", "42"},
        {"int_from_string", "int", "\"-7\"", "-7"},
        {"int_refuses_fraction", "int", "1.5",
         "error: for int: a int value is required, but found numeric value `1.5`"},
        {"int_refuses_bool", "int", "true",
         "error: for int: a int64 value is required, but found bool `true`"},
        {"int_refuses_bad_string", "int", "\"abc\"",
         "error: for int: a int64 value is required, but found invalid string value `abc`"},
        {"uint_refuses_negative", "uint", "-1",
         "error: for uint: a uint value is required, but found int64 value `-1`"},
        {"uint_is_int_inside", "uint", "3", "3"},
        {"double_from_number", "double", "2.5", "2.5"},
        {"bool_refuses_string", "bool", "\"true\"",
         "error: for bool: a bool value is required, but found string `true`"},
        {"string_refuses_number", "string", "1",
         "error: for string: a string value is required, but found float64 `1`"},
        {"string_refuses_null", "string", "null",
         "error: for string: a string value is required, but found <nil> `<nil>`"},
        {"bytes_from_base64", "bytes", "\"aGk=\"", "b\"hi\""},
        {"bytes_refuses_bad_base64", "bytes", "\"***\"",
         "error: for bytes: bytes requires a base64 encoded string: illegal base64 data"},
        {"duration_from_go_string", "duration", "\"1h30m\"", "duration(\"1h30m\")"},
        {"duration_refuses_number", "duration", "5",
         "error: for duration: durations requires a duration string, found: float64"},
        {"duration_refuses_garbage", "duration", "\"5 minutes\"",
         "error: for duration: could not parse duration string `5 minutes`: time: invalid duration "
         "\"5 "
         "minutes\""},
        {"timestamp_from_rfc3339", "timestamp", "\"2024-01-01T00:00:00Z\"",
         "timestamp(\"2024-01-01T00:00:00Z\")"},
        {"timestamp_refuses_date_only", "timestamp", "\"2024-01-01\"",
         "error: for timestamp: could not parse RFC 3339 formatted timestamp string `2024-01-01`: "
         "parsing time "
         "\"2024-01-01\" as RFC 3339: Failed to parse input"},
        {"ipaddress_v4", "ipaddress", "\"10.0.0.1\"", "ipaddress(\"10.0.0.1\")"},
        {"ipaddress_refuses_garbage", "ipaddress", "\"10.0.0\"",
         "error: for ipaddress: could not parse ip address string `10.0.0`: ParseAddr(\"10.0.0\"): "
         "unable to "
         "parse IP"},
        {"list_of_int", "list<int>", "[1, 2]", "[1, 2]"},
        {"list_refuses_object", "list<int>", "{}",
         "error: for list<int>: list requires a list, found: map[string]interface {}"},
        {"list_names_bad_item", "list<int>", "[1, \"x\"]",
         "error: for list<int>: found an invalid value for item at index 1: for int: a int64 value "
         "is required, but "
         "found invalid string value `x`"},
        {"map_of_bool", "map<bool>", "{\"a\": true}", "{\"a\": true}"},
        {"map_names_bad_key", "map<bool>", "{\"a\": 1}",
         "error: for map<bool>: found an invalid value for key `a`: for bool: a bool value is "
         "required, but found float64 "
         "`1`"},
        {"nested_map_of_list", "map<list<string>>", "{\"a\": [\"x\"]}", "{\"a\": [\"x\"]}"},
        // SpiceDB's own example (pkg/caveats/types): every level names its type.
        {"nested_error_names_every_level", "map<list<uint>>", "{\"foo\": [\"-1\"]}",
         "error: for map<list<uint>>: found an invalid value for key `foo`: for list<uint>: found "
         "an invalid value for item at index 0: for uint: a uint value is required, but found "
         "int64 value `-1`"},
        {"any_keeps_value", "any", "[1, \"x\"]", "[1, \"x\"]"},
    }),
    [](const auto& info) { return info.param.name; });

TEST(CaveatContextTest, UnknownKeysAreRefusedWhenAsked) {
  auto params = testing::Params("a int");
  auto converted = ConvertContext(params, testing::JsonContext(R"({"a": 1, "b": 2})"),
                                  UnknownParameters::kError);
  ASSERT_FALSE(converted.ok());
  EXPECT_EQ(converted.status().message(), "unknown parameter `b`");
}

TEST(CaveatContextTest, ErrorNamesTheParameter) {
  auto params = testing::Params("a int");
  auto converted =
      ConvertContext(params, testing::JsonContext(R"({"a": "x"})"), UnknownParameters::kSkip);
  ASSERT_FALSE(converted.ok());
  EXPECT_EQ(converted.status().message(),
            "could not convert context parameter `a`: for int: a int64 value is required, but "
            "found invalid string value `x`");
}

TEST(CaveatStructAdapterTest, ConvertsEveryKind) {
  google::protobuf::Struct fields;
  auto& map = *fields.mutable_fields();
  map["n"].set_number_value(3);
  map["s"].set_string_value("x");
  map["b"].set_bool_value(true);
  map["z"].set_null_value(google::protobuf::NULL_VALUE);
  map["l"].mutable_list_value()->add_values()->set_number_value(1);
  (*map["m"].mutable_struct_value()->mutable_fields())["k"].set_string_value("v");
  auto converted = FromStruct(fields);
  ASSERT_TRUE(converted.ok());
  EXPECT_EQ(
      Value::Map(*converted).DebugString(),
      "{\"b\": true, \"l\": [1], \"m\": {\"k\": \"v\"}, \"n\": 3, \"s\": \"x\", \"z\": null}");
}

TEST(CaveatStructAdapterTest, RefusesDeepNesting) {
  google::protobuf::Value value;
  google::protobuf::Value* at = &value;
  for (int i = 0; i < 150; ++i) at = at->mutable_list_value()->add_values();
  at->set_number_value(1);
  EXPECT_FALSE(FromProtoValue(value).ok());
}

}  // namespace
}  // namespace rebac::schema::caveats
