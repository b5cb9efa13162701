// What every service shares: the datastore, the compiled schema per revision, and the rule
// that turns a request's Consistency into the snapshot it reads.
//
// Services never hold a ServingState directly: they ask a ServingStateResolver for the one a
// request works on, so `serve` (one store) and `serve-testing` (one store per bearer token)
// share every service.
//
// Thread safety: safe for concurrent use; every method may be called from any RPC thread.
#ifndef REBACD_API_SERVING_STATE_H_
#define REBACD_API_SERVING_STATE_H_

#include <grpcpp/server_context.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "authzed/api/v1/permission_service.pb.h"
#include "graph/check_cache.h"
#include "schema/compiled_schema.h"
#include "storage/datastore.h"

namespace rebac::api {

// A request's consistent view: the data and the schema at one revision.
struct ReadView {
  std::shared_ptr<const storage::Snapshot> snapshot;
  std::shared_ptr<const schema::CompiledSchema> schema;  // empty schema when none written yet
  bool has_schema = false;
  // The revision that wrote `schema` (0 when none): what writes validated against this view
  // pass as storage::WriteRequest::expected_schema_revision.
  storage::Revision schema_revision = 0;
  std::string token;  // the ZedToken of snapshot->revision()
  // Check answers shared across requests; nullptr where the schema allows expiring
  // relationships (an answer at a revision changes when one of them expires).
  graph::CheckCache* check_cache = nullptr;
};

// How `minimize_latency` picks its revision, as SpiceDB's
// --datastore-revision-quantization-interval and --datastore-revision-quantization-max-staleness-
// percent: all such requests in one interval read the same revision, so the caches keyed by
// revision hit. The revision is the newest one when the first request of an interval asks, and is
// used until the interval ends, plus a random part of `interval * max_staleness_percent` (which
// spreads the moment requests move on). A zero interval turns quantization off.
struct RevisionQuantization {
  absl::Duration interval = absl::Seconds(5);
  double max_staleness_percent = 0.1;
  std::function<absl::Time()> now = [] { return absl::Now(); };  // replaced by tests
};

class ServingState {
 public:
  // `check_cache_entries` bounds the shared check cache (0: no cache).
  explicit ServingState(std::unique_ptr<storage::Datastore> datastore,
                        RevisionQuantization quantization = {},
                        size_t check_cache_entries = kDefaultCheckCacheEntries);

  static constexpr size_t kDefaultCheckCacheEntries = 100'000;

  storage::Datastore& datastore() { return *datastore_; }

  // The view a request with `consistency` reads:
  //   nullptr, fully_consistent            the newest revision (writes validate against it)
  //   minimize_latency, requirement unset  the quantized revision (QuantizedRevision())
  //   at_least_as_fresh(t)                 max(t's revision, the quantized revision)
  //   at_exact_snapshot(t)                 exactly t's revision
  // never older than the datastore's OldestRevision() except for at_exact_snapshot.
  // INVALID_ARGUMENT for a token that does not decode, names another datastore, or a revision
  // this store has not reached; OUT_OF_RANGE "invalid revision: revision has expired" (SpiceDB's
  // answer) for an exact snapshot older than the history window.
  absl::StatusOr<ReadView> ViewFor(const authzed::api::v1::Consistency* consistency);

  // The view at exactly `revision`; OUT_OF_RANGE "invalid revision: revision has expired" when
  // garbage collection has collected it.
  absl::StatusOr<ReadView> ViewAt(storage::Revision revision);

  std::string TokenFor(storage::Revision revision) const;

  // The revision minimize_latency reads now: at most HeadRevision(), and the same for every
  // request of one quantization interval (see RevisionQuantization).
  storage::Revision QuantizedRevision();

 private:
  // What ViewAt needs besides the snapshot, for one revision; immutable once made.
  struct RevisionInfo {
    std::shared_ptr<const schema::CompiledSchema> schema;
    bool has_schema = false;
    storage::Revision schema_revision = 0;
    std::string token;
    bool cacheable_checks = false;  // the schema has no `with expiration`
  };
  absl::StatusOr<std::shared_ptr<const RevisionInfo>> InfoAt(storage::Revision revision);

  // The schema in force at `revision`; fills info's has_schema and schema_revision.
  absl::StatusOr<std::shared_ptr<const schema::CompiledSchema>> SchemaAt(storage::Revision revision,
                                                                         RevisionInfo* info);

  std::unique_ptr<storage::Datastore> datastore_;
  const RevisionQuantization quantization_;
  std::shared_ptr<const schema::CompiledSchema> empty_schema_;
  graph::CheckCache check_cache_;

  absl::Mutex quantized_mu_;
  storage::Revision quantized_revision_ ABSL_GUARDED_BY(quantized_mu_) = 0;
  absl::Time quantized_valid_through_ ABSL_GUARDED_BY(quantized_mu_) = absl::InfinitePast();

  // Revision -> schema and token, so a request at a revision seen before (the quantized one, or
  // an unchanged head) neither seeks the schema column family nor encodes a token. A revision's
  // schema never changes once the revision exists.
  absl::Mutex info_mu_;
  absl::flat_hash_map<storage::Revision, std::shared_ptr<const RevisionInfo>> info_
      ABSL_GUARDED_BY(info_mu_);

  absl::Mutex schema_mu_;
  // Compiled schemas by the revision that wrote them; stored schemas compiled before, so a
  // failure here means the store is damaged.
  absl::flat_hash_map<storage::Revision, std::shared_ptr<const schema::CompiledSchema>> compiled_
      ABSL_GUARDED_BY(schema_mu_);
};

// Picks the ServingState of a request. Implementations are thread-safe and never fail: a
// resolver that creates states on demand creates one.
class ServingStateResolver {
 public:
  virtual ~ServingStateResolver() = default;
  virtual ServingState* For(const grpc::ServerContextBase& context) = 0;
};

// Every request gets the one state (`rebacd serve`).
class SingleServingStateResolver final : public ServingStateResolver {
 public:
  explicit SingleServingStateResolver(ServingState* state) : state_(state) {}
  ServingState* For(const grpc::ServerContextBase&) override { return state_; }

 private:
  ServingState* state_;
};

}  // namespace rebac::api

#endif  // REBACD_API_SERVING_STATE_H_
