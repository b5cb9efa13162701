// Which subjects a resource#relation has, and why, the way `zed validate` sees them: SpiceDB's
// developer membership set, rebuilt from the public authzed.api.v1 API for `rebac validate`.
//
// ExpandPermissionTree is followed recursively through subject sets (group:eng#member) and its
// set operations are combined as SpiceDB's tracking subject set does; every subject is listed
// under the relations (`document:1#viewer`) whose relationships name it. Terminal subjects, their
// caveats and wildcard exclusions come from LookupSubjects, the server's full answer (expand
// carries no caveats). Subject-set subjects are never reported caveated.
//
// Not thread-safe: use one resolver per thread.
#ifndef REBACD_TOOLS_REBAC_MEMBERSHIP_H_
#define REBACD_TOOLS_REBAC_MEMBERSHIP_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/rebac/connection.h"
#include "tools/rebac/relationship_text.h"

namespace rebac::cli {

// A subject as SpiceDB's validation compares it.
struct FoundSubject {
  std::set<std::string> relationships;  // "document:1#viewer", ...
  bool caveated = false;
  bool wildcard = false;
  std::vector<std::string> exclusions;  // "user:bob" or "user:bob[...]", sorted
};

class MembershipResolver {
 public:
  // `connection` must outlive the resolver.
  explicit MembershipResolver(const Connection& connection) : connection_(connection) {}

  // Every subject of resource#relation ("user:tom", "user:*", "group:eng#member") → what
  // SpiceDB's validation compares. `types` are subject types to look up besides those the
  // expansion reaches. Fails (UNAVAILABLE, naming the RPC) when an RPC fails.
  absl::StatusOr<std::map<std::string, FoundSubject>> Resolve(const ObjectText& resource,
                                                              const std::string& relation,
                                                              const std::set<std::string>& types);

 private:
  // Subject text → the resource#relation texts whose relationships name it.
  using SubjectSet = std::map<std::string, std::set<std::string>>;

  absl::StatusOr<SubjectSet> ExpandRecursive(const ObjectText& object, const std::string& relation,
                                             std::set<std::string>* visiting);
  absl::StatusOr<SubjectSet> Walk(const authzed::api::v1::PermissionRelationshipTree& tree,
                                  const std::string& onr, std::set<std::string>* visiting);

  const Connection& connection_;
  // Subjects an exclusion removed, with the relations that listed them: expand carries no
  // caveats, so a subject whose exclusion is caveated (LookupSubjects still finds it) is
  // listed under these.
  SubjectSet excluded_;
};

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_MEMBERSHIP_H_
