#include "storage/rocksdb/changelog_codec.h"

#include <cstring>

#include "storage/key_codec.h"

namespace rebac::storage::rocksdb_engine {
namespace {

constexpr uint8_t kTagMetadata = 0xfe;
constexpr uint8_t kTagSchema = 0xff;

void AppendLengthPrefixed(std::string* out, absl::string_view s) {
  uint64_t v = s.size();
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
  out->append(s.data(), s.size());
}

bool GetLengthPrefixed(absl::string_view* in, std::string* out) {
  uint64_t len = 0;
  for (int shift = 0;; shift += 7) {
    if (shift >= 64 || in->empty()) return false;
    uint8_t byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    len |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  if (len > in->size()) return false;
  out->assign(in->data(), len);
  in->remove_prefix(len);
  return true;
}

absl::Status Malformed() { return absl::DataLossError("malformed changelog entry in the store"); }

}  // namespace

void ChangelogEntryBuilder::AddUpdate(UpdateOperation operation, const Relationship& r,
                                      absl::string_view encoded_value) {
  AddUpdate(operation, {r.resource_type, r.resource_id, r.relation, r.subject_type, r.subject_id,
                        r.subject_relation, encoded_value});
}

void ChangelogEntryBuilder::AddUpdate(UpdateOperation operation, const RelationshipView& r) {
  bytes_.push_back(static_cast<char>(operation));
  for (absl::string_view name : {r.resource_type, r.resource_id, r.relation, r.subject_type,
                                 r.subject_id, r.subject_relation, r.encoded_value}) {
    AppendLengthPrefixed(&bytes_, name);
  }
}

bool ChangelogEntryBuilder::AddCreateOfResourceKey(absl::string_view key,
                                                   absl::string_view encoded_value) {
  // The key's names: resource type, id, relation, subject type, subject relation, subject id.
  absl::string_view names[6];
  const char* p = key.data();
  const char* const end = key.data() + key.size();
  for (absl::string_view& name : names) {
    const char* nul = static_cast<const char*>(std::memchr(p, '\0', end - p));
    if (nul == nullptr) return false;
    name = absl::string_view(p, nul - p);
    p = nul + 1;
  }
  if (p != end) return false;
  // The record's order: resource type, id, relation, subject type, subject id, subject relation,
  // value.
  const absl::string_view fields[7] = {names[0], names[1], names[2],     names[3],
                                       names[5], names[4], encoded_value};
  const size_t old_size = bytes_.size();
  bytes_.resize(old_size + 1 + key.size() + encoded_value.size() + 7 * 10);
  char* out = bytes_.data() + old_size;
  *out++ = static_cast<char>(UpdateOperation::kCreate);
  for (absl::string_view field : fields) {
    uint64_t v = field.size();
    while (v >= 0x80) {
      *out++ = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    *out++ = static_cast<char>(v);
    if (!field.empty()) std::memcpy(out, field.data(), field.size());
    out += field.size();
  }
  bytes_.resize(out - bytes_.data());
  return true;
}

void ChangelogEntryBuilder::SetSchema(absl::string_view schema_text) {
  bytes_.push_back(static_cast<char>(kTagSchema));
  AppendLengthPrefixed(&bytes_, schema_text);
}

void ChangelogEntryBuilder::SetTransactionMetadata(absl::string_view metadata) {
  if (metadata.empty()) return;
  bytes_.push_back(static_cast<char>(kTagMetadata));
  AppendLengthPrefixed(&bytes_, metadata);
}

absl::Status DecodeChangelogEntry(absl::string_view in, RevisionChanges* out) {
  out->updates.clear();
  out->schema_text.reset();
  out->transaction_metadata.clear();
  return DecodeChangelogPart(in, out);
}

absl::Status DecodeChangelogPart(absl::string_view in, RevisionChanges* out) {
  std::string value;
  while (!in.empty()) {
    uint8_t tag = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    if (tag == kTagSchema) {
      if (!GetLengthPrefixed(&in, &out->schema_text.emplace())) return Malformed();
      continue;
    }
    if (tag == kTagMetadata) {
      if (!GetLengthPrefixed(&in, &out->transaction_metadata)) return Malformed();
      continue;
    }
    if (tag > static_cast<uint8_t>(UpdateOperation::kDelete)) return Malformed();
    RelationshipUpdate& u = out->updates.emplace_back();
    u.operation = static_cast<UpdateOperation>(tag);
    Relationship& r = u.relationship;
    for (std::string* name : {&r.resource_type, &r.resource_id, &r.relation, &r.subject_type,
                              &r.subject_id, &r.subject_relation}) {
      if (!GetLengthPrefixed(&in, name)) return Malformed();
    }
    if (!GetLengthPrefixed(&in, &value) || !DecodeValue(value, &r.value)) return Malformed();
  }
  return absl::OkStatus();
}

std::string ChangelogPartKey(Revision revision, uint32_t part) {
  std::string key = keys::RevisionKey(revision);
  for (int shift = 24; shift >= 0; shift -= 8) key.push_back(static_cast<char>(part >> shift));
  return key;
}

}  // namespace rebac::storage::rocksdb_engine
