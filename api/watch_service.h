// authzed.api.v1.WatchService: a stream of the committed changes, revision by revision, from a
// ZedToken (exclusive) or from now, with SpiceDB's semantics (internal/services/v1/watch.go):
//   - relationship updates always; CREATE is reported as OPERATION_TOUCH, as SpiceDB does;
//     each revision's matching updates are one response with changes_through = its token and
//     its optional_transaction_metadata; revisions with no matching update send nothing;
//   - schema changes (schema_updated) and checkpoints (is_checkpoint, sent when the stream has
//     caught up and every heartbeat while idle) only when asked for in optional_update_kinds;
//   - optional_object_types and optional_relationship_filters (any one matches) filter the
//     updates, and may not both be set.
// Resuming from the last changes_through after a restart repeats and skips nothing: the change
// feed is persisted with each revision, as far back as the datastore's history window: a start
// cursor older than that, or a stream that falls that far behind, ends with SpiceDB's INTERNAL
// "watch error: revision has expired". Relationships removed by garbage collection (expired ones)
// are not reported, as in SpiceDB.
//
// Thread safety: one instance serves concurrent streams.
#ifndef REBACD_API_WATCH_SERVICE_H_
#define REBACD_API_WATCH_SERVICE_H_

#include <atomic>

#include "absl/time/time.h"
#include "api/authenticator.h"
#include "api/serving_state.h"
#include "authzed/api/v1/watch_service.grpc.pb.h"

namespace rebac::api {

struct WatchOptions {
  // How often an idle stream that asked for checkpoints gets one (SpiceDB's
  // --watch-api-heartbeat, 1s by default).
  absl::Duration heartbeat = absl::Seconds(1);
  // Longest a stream sleeps before noticing that its client went away.
  absl::Duration cancellation_check = absl::Milliseconds(200);
  // Revisions read from the change feed per batch.
  size_t revisions_per_read = 64;
};

class WatchServiceImpl final : public authzed::api::v1::WatchService::Service {
 public:
  WatchServiceImpl(ServingStateResolver* states, const Authenticator* auth,
                   WatchOptions options = {})
      : states_(states), auth_(auth), options_(options) {}

  grpc::Status Watch(grpc::ServerContext* context, const authzed::api::v1::WatchRequest* request,
                     grpc::ServerWriter<authzed::api::v1::WatchResponse>* writer) override;

  // Ends every stream (UNAVAILABLE, so clients resume from their last token) within
  // options.cancellation_check, instead of holding a graceful server shutdown to its deadline.
  void BeginShutdown() { shutting_down_.store(true, std::memory_order_relaxed); }

 private:
  ServingStateResolver* states_;
  const Authenticator* auth_;
  WatchOptions options_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace rebac::api

#endif  // REBACD_API_WATCH_SERVICE_H_
