// Converting between JSON object text and google.protobuf.Struct (caveat contexts).
#ifndef REBACD_TOOLS_REBAC_JSON_STRUCT_H_
#define REBACD_TOOLS_REBAC_JSON_STRUCT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"

namespace rebac::cli {

// Parses a JSON object. Numbers become doubles, as Struct holds them.
absl::StatusOr<google::protobuf::Struct> JsonToStruct(absl::string_view json);

// Compact JSON with keys sorted; whole numbers that a double holds exactly print without a
// fraction, so JsonToStruct(R"({"k":1})") prints back as {"k":1}.
std::string StructToJson(const google::protobuf::Struct& value);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_JSON_STRUCT_H_
