// Adapter from google.protobuf.Struct (the `context` field of the API's relationships and check
// requests) to caveat Values. Kept apart from the evaluator so that only code that already links
// protobuf pays for it: link rebac_caveats_proto.
//
//   absl::StatusOr<ValueMap> json = caveats::FromStruct(request.context());
//   absl::StatusOr<Context> context = ConvertContext(params, *json, UnknownParameters::kSkip);
#ifndef REBACD_SCHEMA_CAVEATS_STRUCT_ADAPTER_H_
#define REBACD_SCHEMA_CAVEATS_STRUCT_ADAPTER_H_

#include <google/protobuf/struct.pb.h>

#include "absl/status/statusor.h"
#include "schema/caveats/value.h"

namespace rebac::schema::caveats {

// Numbers become kDouble (a Struct holds nothing else), structs kMap, lists kList. Refuses
// values nested deeper than 100 levels.
absl::StatusOr<Value> FromProtoValue(const google::protobuf::Value& value);
absl::StatusOr<ValueMap> FromStruct(const google::protobuf::Struct& fields);

}  // namespace rebac::schema::caveats

#endif  // REBACD_SCHEMA_CAVEATS_STRUCT_ADAPTER_H_
