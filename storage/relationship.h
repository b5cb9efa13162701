// Relationships as the storage layer sees them: six names plus an optional caveat and expiry.
//
// A relationship `document:readme#viewer@group:eng#member` has resource (document, readme),
// relation viewer and subject (group, eng, member). A subject relation of "" is SpiceDB's
// ellipsis ("..."): the subject object itself.
#ifndef REBACD_STORAGE_RELATIONSHIP_H_
#define REBACD_STORAGE_RELATIONSHIP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace rebac::storage {

// Revisions are dense: every committed write gets the next one. 0 means "nothing written".
using Revision = uint64_t;

// The part of a relationship that is not its identity. Empty in the common, uncaveated case.
struct RelationshipValue {
  std::string caveat_name;        // "" when uncaveated
  std::string caveat_context;     // serialized google.protobuf.Struct, "" when none
  int64_t expires_at_micros = 0;  // unix microseconds; 0 = never expires

  bool empty() const {
    return caveat_name.empty() && caveat_context.empty() && expires_at_micros == 0;
  }
  bool operator==(const RelationshipValue&) const = default;
};

struct Relationship {
  std::string resource_type;
  std::string resource_id;
  std::string relation;
  std::string subject_type;
  std::string subject_id;
  std::string subject_relation;  // "" = ellipsis
  RelationshipValue value;

  bool operator==(const Relationship&) const = default;
};

// A non-owning view of a stored relationship, valid only during the callback that receives it.
// Scans hand these out so the hot path copies nothing.
struct RelationshipView {
  absl::string_view resource_type;
  absl::string_view resource_id;
  absl::string_view relation;
  absl::string_view subject_type;
  absl::string_view subject_id;
  absl::string_view subject_relation;
  absl::string_view encoded_value;  // see DecodeValue(); empty when uncaveated

  Relationship ToRelationship() const;
};

// Serialises a value for storage; the empty value encodes to "".
std::string EncodeValue(const RelationshipValue& value);
// Returns false when `bytes` is not a value EncodeValue produced.
bool DecodeValue(absl::string_view bytes, RelationshipValue* value);

// Whether an encoded value carries an expiry at or before `now_micros`: an expiring relationship
// disappears from reads at its expiry instant.
bool IsExpiredValue(absl::string_view encoded_value, int64_t now_micros);
// The wall clock in unix microseconds, the unit of RelationshipValue::expires_at_micros.
int64_t NowMicros();

// `type:id#relation@subject_type:subject_id#subject_relation`, SpiceDB's text form (without
// caveat or expiry); used in error messages.
std::string ToString(const Relationship& relationship);

// Which relationships a read or delete touches. Unset fields match anything.
struct SubjectFilter {
  std::string type;  // required
  std::optional<std::string> id;
  std::optional<std::string> relation;  // "" = ellipsis only
};
struct RelationshipFilter {
  std::optional<std::string> resource_type;
  std::optional<std::string> resource_id;
  std::optional<std::string> resource_id_prefix;
  std::optional<std::string> relation;
  std::optional<SubjectFilter> subject;
  // Unset matches any caveat; "" only uncaveated relationships; a name only that caveat.
  std::optional<std::string> caveat_name;
  // Unset matches either; true only relationships with an expiry, false only those without.
  std::optional<bool> has_expiration;

  bool Matches(const RelationshipView& relationship) const;
};

enum class UpdateOperation { kCreate, kTouch, kDelete };

struct RelationshipUpdate {
  UpdateOperation operation = UpdateOperation::kTouch;
  Relationship relationship;
};

// A condition on the data at commit time: some relationship must (not) match `filter`.
struct Precondition {
  enum class Kind { kMustMatch, kMustNotMatch };
  Kind kind = Kind::kMustMatch;
  RelationshipFilter filter;
};

}  // namespace rebac::storage

#endif  // REBACD_STORAGE_RELATIONSHIP_H_
