// Caveat context at the API edge: the context a client sends with a check or lookup, and the
// context a relationship stores, each held to SpiceDB's limits and rules.
//
// Pure functions; safe from any thread.
#ifndef REBACD_API_CAVEAT_CONTEXT_H_
#define REBACD_API_CAVEAT_CONTEXT_H_

#include <google/protobuf/struct.pb.h>

#include "absl/status/statusor.h"
#include "authzed/api/v1/core.pb.h"
#include "schema/caveats/value.h"
#include "schema/compiled_schema.h"
#include "storage/relationship.h"

namespace rebac::api {

// SpiceDB's defaults: --max-caveat-context-size (a request's context) and
// --max-relationship-context-size (a relationship's caveat, name and context together).
inline constexpr size_t kMaxRequestContextBytes = 4096;
inline constexpr size_t kMaxRelationshipContextBytes = 25000;

// The request's context as caveat values; {} when absent. INVALID_ARGUMENT with SpiceDB's
// message when its encoding is over kMaxRequestContextBytes.
absl::StatusOr<schema::caveats::ValueMap> RequestCaveatContext(
    const google::protobuf::Struct* context);

// A relationship's caveat (name and context) encodes within kMaxRelationshipContextBytes;
// otherwise INVALID_ARGUMENT with ERROR_REASON_MAX_RELATIONSHIP_CONTEXT_SIZE.
absl::Status ValidateRelationshipCaveatSize(const authzed::api::v1::Relationship& relationship);

// A relationship written with a caveat stores context that converts to the caveat's parameter
// types, with no key that is not a parameter. The caveat itself must already be known to exist
// (ValidateRelationshipForWrite checks that).
absl::Status ValidateRelationshipCaveat(const schema::CompiledSchema& schema,
                                        const authzed::api::v1::Relationship& relationship);

}  // namespace rebac::api

#endif  // REBACD_API_CAVEAT_CONTEXT_H_
