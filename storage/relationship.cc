#include "storage/relationship.h"

#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace rebac::storage {
namespace {

// Values are: [u8 flags][varint len + caveat name][varint len + context][8-byte LE expiry],
// each part present only when its flag bit is set, so the common value is empty.
constexpr uint8_t kHasCaveat = 1;
constexpr uint8_t kHasContext = 2;
constexpr uint8_t kHasExpiry = 4;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(absl::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    uint8_t byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

bool GetLengthPrefixed(absl::string_view* in, std::string* out) {
  uint64_t len;
  if (!GetVarint(in, &len) || len > in->size()) return false;
  out->assign(in->data(), len);
  in->remove_prefix(len);
  return true;
}

}  // namespace

std::string EncodeValue(const RelationshipValue& value) {
  if (value.empty()) return {};
  std::string out;
  uint8_t flags = (value.caveat_name.empty() ? 0 : kHasCaveat) |
                  (value.caveat_context.empty() ? 0 : kHasContext) |
                  (value.expires_at_micros == 0 ? 0 : kHasExpiry);
  out.push_back(static_cast<char>(flags));
  if (flags & kHasCaveat) {
    PutVarint(&out, value.caveat_name.size());
    out.append(value.caveat_name);
  }
  if (flags & kHasContext) {
    PutVarint(&out, value.caveat_context.size());
    out.append(value.caveat_context);
  }
  if (flags & kHasExpiry) {
    uint64_t v = static_cast<uint64_t>(value.expires_at_micros);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  return out;
}

bool DecodeValue(absl::string_view bytes, RelationshipValue* value) {
  *value = RelationshipValue();
  if (bytes.empty()) return true;
  uint8_t flags = static_cast<uint8_t>(bytes.front());
  bytes.remove_prefix(1);
  if (flags & ~(kHasCaveat | kHasContext | kHasExpiry)) return false;
  if ((flags & kHasCaveat) && !GetLengthPrefixed(&bytes, &value->caveat_name)) return false;
  if ((flags & kHasContext) && !GetLengthPrefixed(&bytes, &value->caveat_context)) return false;
  if (flags & kHasExpiry) {
    if (bytes.size() < 8) return false;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
    value->expires_at_micros = static_cast<int64_t>(v);
    bytes.remove_prefix(8);
  }
  return bytes.empty();
}

bool IsExpiredValue(absl::string_view encoded_value, int64_t now_micros) {
  if (encoded_value.empty()) return false;
  RelationshipValue value;
  if (!DecodeValue(encoded_value, &value)) return false;
  return value.expires_at_micros != 0 && value.expires_at_micros <= now_micros;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Relationship RelationshipView::ToRelationship() const {
  Relationship r{std::string(resource_type),
                 std::string(resource_id),
                 std::string(relation),
                 std::string(subject_type),
                 std::string(subject_id),
                 std::string(subject_relation),
                 {}};
  DecodeValue(encoded_value, &r.value);
  return r;
}

std::string ToString(const Relationship& r) {
  std::string out = absl::StrCat(r.resource_type, ":", r.resource_id, "#", r.relation, "@",
                                 r.subject_type, ":", r.subject_id);
  if (!r.subject_relation.empty()) absl::StrAppend(&out, "#", r.subject_relation);
  return out;
}

bool RelationshipFilter::Matches(const RelationshipView& r) const {
  if (resource_type && r.resource_type != *resource_type) return false;
  if (resource_id && r.resource_id != *resource_id) return false;
  if (resource_id_prefix && !absl::StartsWith(r.resource_id, *resource_id_prefix)) return false;
  if (relation && r.relation != *relation) return false;
  if (subject) {
    if (r.subject_type != subject->type) return false;
    if (subject->id && r.subject_id != *subject->id) return false;
    if (subject->relation && r.subject_relation != *subject->relation) return false;
  }
  if (caveat_name || has_expiration) {
    RelationshipValue value;
    if (!DecodeValue(r.encoded_value, &value)) return false;
    if (caveat_name && value.caveat_name != *caveat_name) return false;
    if (has_expiration && (value.expires_at_micros != 0) != *has_expiration) return false;
  }
  return true;
}

}  // namespace rebac::storage
