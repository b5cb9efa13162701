#include "storage/key_codec.h"

namespace rebac::storage::keys {

std::string EncodePrefix(std::initializer_list<absl::string_view> names) {
  size_t size = 0;
  for (auto n : names) size += n.size() + 1;
  std::string out;
  out.reserve(size);
  for (auto n : names) {
    out.append(n.data(), n.size());
    out.push_back('\0');
  }
  return out;
}

std::string ResourceKey(const Relationship& r) {
  return EncodePrefix({r.resource_type, r.resource_id, r.relation, r.subject_type,
                       r.subject_relation, r.subject_id});
}

std::string SubjectKey(const Relationship& r) {
  return EncodePrefix({r.subject_type, r.subject_id, r.subject_relation, r.resource_type,
                       r.relation, r.resource_id});
}

bool SplitKey(absl::string_view key, absl::string_view (&names)[6]) {
  size_t pos = 0;
  for (int i = 0; i < 6; ++i) {
    size_t end = key.find('\0', pos);
    if (end == absl::string_view::npos) return false;
    names[i] = key.substr(pos, end - pos);
    pos = end + 1;
  }
  return pos == key.size();
}

bool DecodeResourceKey(absl::string_view key, RelationshipView* v) {
  absl::string_view n[6];
  if (!SplitKey(key, n)) return false;
  v->resource_type = n[0];
  v->resource_id = n[1];
  v->relation = n[2];
  v->subject_type = n[3];
  v->subject_relation = n[4];
  v->subject_id = n[5];
  return true;
}

bool DecodeSubjectKey(absl::string_view key, RelationshipView* v) {
  absl::string_view n[6];
  if (!SplitKey(key, n)) return false;
  v->subject_type = n[0];
  v->subject_id = n[1];
  v->subject_relation = n[2];
  v->resource_type = n[3];
  v->relation = n[4];
  v->resource_id = n[5];
  return true;
}

std::string PrefixEnd(absl::string_view prefix) {
  std::string end(prefix.data(), prefix.size());
  while (!end.empty()) {
    unsigned char last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;  // empty: no upper bound
}

ScanRange PlanScan(const RelationshipFilter& f) {
  ScanRange range;
  // Use the subject-major index only when it narrows more than the resource-major one.
  bool resource_known = f.resource_type && (f.resource_id || f.resource_id_prefix);
  if (!resource_known && f.subject && f.subject->id) {
    range.by_subject = true;
    range.prefix = EncodePrefix({f.subject->type, *f.subject->id});
    if (f.subject->relation) {
      AppendName(&range.prefix, *f.subject->relation);
      if (f.resource_type) {
        AppendName(&range.prefix, *f.resource_type);
        if (f.relation) AppendName(&range.prefix, *f.relation);
      }
    }
    return range;
  }
  if (!f.resource_type) return range;
  range.prefix = EncodePrefix({*f.resource_type});
  if (f.resource_id) {
    AppendName(&range.prefix, *f.resource_id);
    if (f.relation) {
      AppendName(&range.prefix, *f.relation);
      if (f.subject) {
        AppendName(&range.prefix, f.subject->type);
        if (f.subject->relation) {
          AppendName(&range.prefix, *f.subject->relation);
          if (f.subject->id) AppendName(&range.prefix, *f.subject->id);
        }
      }
    }
  } else if (f.resource_id_prefix) {
    range.prefix.append(*f.resource_id_prefix);  // no terminator: a prefix of the id itself
  }
  return range;
}

std::string RevisionKey(Revision revision) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(revision & 0xff);
    revision >>= 8;
  }
  return out;
}

Revision DecodeRevisionKey(absl::string_view key) {
  Revision r = 0;
  for (size_t i = 0; i < 8 && i < key.size(); ++i) r = (r << 8) | static_cast<uint8_t>(key[i]);
  return r;
}

}  // namespace rebac::storage::keys
