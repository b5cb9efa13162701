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

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "authzed/api/v1/permission_service.pb.h"
#include "schema/compiled_schema.h"
#include "storage/datastore.h"

namespace rebac::api {

// A request's consistent view: the data and the schema at one revision.
struct ReadView {
  std::shared_ptr<const storage::Snapshot> snapshot;
  std::shared_ptr<const schema::CompiledSchema> schema;  // empty schema when none written yet
  bool has_schema = false;
  std::string token;  // the ZedToken of snapshot->revision()
};

class ServingState {
 public:
  explicit ServingState(std::unique_ptr<storage::Datastore> datastore);

  storage::Datastore& datastore() { return *datastore_; }

  // The view a request with `consistency` reads (nullptr or unset: minimize_latency):
  //   fully_consistent, minimize_latency   the newest revision
  //   at_least_as_fresh(t)                 the newest revision (never older than t)
  //   at_exact_snapshot(t)                 exactly t's revision
  // INVALID_ARGUMENT for a token that does not decode, names another datastore, or a revision
  // this store has not reached.
  absl::StatusOr<ReadView> ViewFor(const authzed::api::v1::Consistency* consistency);

  // The view at exactly `revision`.
  absl::StatusOr<ReadView> ViewAt(storage::Revision revision);

  std::string TokenFor(storage::Revision revision) const;

 private:
  absl::StatusOr<std::shared_ptr<const schema::CompiledSchema>> SchemaAt(storage::Revision revision,
                                                                         bool* has_schema);

  std::unique_ptr<storage::Datastore> datastore_;
  std::shared_ptr<const schema::CompiledSchema> empty_schema_;
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
