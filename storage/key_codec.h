// Key layout of the two relationship indexes, shared by every engine that keeps relationships
// in ordered byte-keyed maps (RocksDB, memory). Pure byte encoding; no engine dependency.
//
// Names never contain NUL (SpiceDB's type, relation and id alphabets exclude it), so each is
// written followed by one NUL byte. That keeps keys unambiguous and makes every "first k names"
// prefix one contiguous key range, in the order the lookups need:
//
//   rel          resource_type, resource_id, relation, subject_type, subject_relation, subject_id
//   rel_by_subj  subject_type, subject_id, subject_relation, resource_type, relation, resource_id
//
// Putting subject_relation before subject_id in `rel` groups a relation's userset edges
// (`group:*#member`) apart from its direct subjects, so a check finds each with one seek.
#ifndef REBACD_STORAGE_KEY_CODEC_H_
#define REBACD_STORAGE_KEY_CODEC_H_

#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"
#include "storage/relationship.h"

namespace rebac::storage::keys {

// Appends one name and its terminator to a key under construction.
inline void AppendName(std::string* key, absl::string_view name) {
  key->append(name.data(), name.size());
  key->push_back('\0');
}

// Appends each name and its terminator: the prefix of all keys that start with these names.
std::string EncodePrefix(std::initializer_list<absl::string_view> names);

std::string ResourceKey(const Relationship& r);
std::string SubjectKey(const Relationship& r);

// Splits a key of either index back into its six names (in that index's order); false when
// the key is malformed.
bool SplitKey(absl::string_view key, absl::string_view (&names)[6]);

// Fills the view's names from a key of the `rel` / `rel_by_subj` index.
bool DecodeResourceKey(absl::string_view key, RelationshipView* view);
bool DecodeSubjectKey(absl::string_view key, RelationshipView* view);

// The smallest key greater than every key starting with `prefix` (for iterate_upper_bound).
std::string PrefixEnd(absl::string_view prefix);

// Which index and key prefix narrow a filter's scan most. Every key under `prefix` may still
// need RelationshipFilter::Matches; no key outside it can match.
struct ScanRange {
  bool by_subject = false;  // scan rel_by_subj instead of rel
  std::string prefix;
};
ScanRange PlanScan(const RelationshipFilter& filter);

// Revisions as 8-byte big-endian keys, so numeric order is key order (changelog, schema).
std::string RevisionKey(Revision revision);
Revision DecodeRevisionKey(absl::string_view key);

}  // namespace rebac::storage::keys

#endif  // REBACD_STORAGE_KEY_CODEC_H_
