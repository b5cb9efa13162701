// LookupResources walked the way SpiceDB's LookupResources3 dispatches it, for answers whose
// *shape* depends on that: conditional results, and results under a limit.
//
//   ChunkedResourceLookup lookup(schema, snapshot, {.max_depth = 50});
//   absl::Status s = lookup.Run(request, visit);  // same request and visitor as ResourceLookup
//
// SpiceDB streams one item per route chunk, not one per resource: a dispatch takes a set of
// subject ids, reads the relationships of each entrypoint in chunks of up to 100 resources,
// evaluates each relationship's caveat alone with the request's context (false drops it,
// unknown marks it with the parameters it lacks), confirms non-direct entrypoints with a check,
// and dispatches the chunk's resources as the next subjects. Each item coming back is mapped
// through the chunk: definite if it is and one of the subjects that led to it was reached
// without a caveat, else conditional, lacking everything the caveated subjects lack. So one
// resource can come back several times — definite and conditional, or conditional with
// different missing context — and SpiceDB's API streams every conditional item, and every
// definite one the first time (every time when the request has a limit). This class reproduces
// that stream; ResourceLookup, one outcome per resource, is the faster walk for the answers
// where the two cannot differ (no caveats, no limit).
//
// Depth as in SpiceDB: each dispatch costs one unit, a confirmation check gets what is left
// below it, running out (data cycles included) is FAILED_PRECONDITION /
// ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED. Identical dispatches are computed once per request.
// The stream's order is SpiceDB's: entrypoints in LookupPlan's order, each chunk's resources
// sorted. It is fixed by the data and the schema, so `skip` resumes a page exactly.
//
// Thread safety: a ChunkedResourceLookup serves one request on one thread.
#ifndef REBACD_GRAPH_CHUNKED_RESOURCE_LOOKUP_H_
#define REBACD_GRAPH_CHUNKED_RESOURCE_LOOKUP_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "graph/caveat_expression.h"
#include "graph/lookup_plan.h"
#include "graph/lookup_resources.h"
#include "schema/compiled_schema.h"
#include "storage/datastore.h"

namespace rebac::graph {

class ChunkedResourceLookup {
 public:
  struct Options {
    LookupResourcesOptions lookup;
    // SpiceDB's API streams a definite resource once only when the request has no limit.
    bool repeat_definite = false;
  };

  ChunkedResourceLookup(std::shared_ptr<const schema::CompiledSchema> schema,
                        std::shared_ptr<const storage::Snapshot> snapshot, Options options);

  // As ResourceLookup::Run: validates the request and reports every streamed item to `visit`.
  absl::Status Run(const LookupResourcesRequest& request, ResourceVisitor visit);

 private:
  // One result of a dispatch (SpiceDB's LR3 item): a resource, the dispatch's subject ids that
  // lead to it, and the context its route lacks (empty: definite).
  struct Item {
    std::string resource_id;
    std::vector<std::string> for_subjects;  // sorted
    std::vector<std::string> missing;       // sorted
  };
  // Resources found by one chunk of relationships: resource id -> the subject ids that lead to
  // it, each with the context its relationship's caveat lacks.
  using Chunk =
      absl::btree_map<std::string, absl::btree_map<std::string, std::vector<std::string>>>;
  struct Memo {
    std::vector<Item> items;
    int depth = 0;  // computed with this much depth left; more depth gives the same items
  };

  absl::StatusOr<const std::vector<Item>*> Dispatch(const std::string& type,
                                                    const std::string& relation,
                                                    const std::vector<std::string>& subject_ids,
                                                    int depth);
  absl::Status RunEntrypoint(const Entrypoint& entrypoint, const std::string& type,
                             const std::string& relation,
                             const std::vector<std::string>& subject_ids, int depth,
                             std::vector<Item>* out);
  // Confirms (when the entrypoint is not direct) and dispatches one chunk, mapping what comes
  // back through it into `out`.
  absl::Status DispatchChunk(const Entrypoint& entrypoint, const std::string& via_type,
                             const std::string& via_relation, Chunk chunk, int depth,
                             std::vector<Item>* out);
  absl::Status Confirm(const Entrypoint& entrypoint, const std::string& via_type,
                       const std::string& via_relation, int depth, Chunk* chunk);

  std::shared_ptr<const schema::CompiledSchema> schema_;
  std::shared_ptr<const storage::Snapshot> snapshot_;
  Options options_;

  // Per run.
  const LookupResourcesRequest* request_ = nullptr;
  std::unique_ptr<LookupPlan> plan_;
  std::unique_ptr<CaveatRunner> caveats_;
  uint64_t steps_ = 0;
  absl::flat_hash_map<std::string, Memo> memo_;   // "type#relation#id,id,..."
  absl::flat_hash_set<std::string> in_progress_;  // a dispatch met again is a cycle
};

}  // namespace rebac::graph

#endif  // REBACD_GRAPH_CHUNKED_RESOURCE_LOOKUP_H_
