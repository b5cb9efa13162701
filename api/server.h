// The rebacd gRPC server: authzed.api.v1 services (Permissions, Schema, Watch, the bulk RPCs of
// Experimental), grpc.health.v1 and server reflection, over one datastore (`serve`) or over one
// in-memory datastore per bearer token (`serve-testing`, ServerOptions::testing_mode).
//
//   ServerOptions options{...};
//   absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(options);
//   (*server)->Wait();  // until Shutdown() from another thread
#ifndef REBACD_API_SERVER_H_
#define REBACD_API_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/permissions_service.h"
#include "api/serving_state.h"
#include "api/watch_service.h"

namespace rebac::api {

struct ServerOptions {
  std::string grpc_addr = "127.0.0.1:50051";
  // serve-testing: no authentication; each bearer token selects its own in-memory datastore,
  // created on first use. The datastore options are ignored.
  bool testing_mode = false;
  std::vector<std::string> preshared_keys;  // empty only with insecure_no_auth
  bool insecure_no_auth = false;
  std::string tls_cert_path;  // both set: serve TLS
  std::string tls_key_path;
  std::string datastore_engine = "rocksdb";
  std::string datastore_path;
  bool datastore_sync = true;
  // History kept readable (snapshot reads, Watch resumption), and how often garbage
  // collection runs (`serve` only; SpiceDB's --datastore-gc-window / --datastore-gc-interval).
  absl::Duration gc_window = absl::Hours(24);
  absl::Duration gc_interval = absl::Minutes(3);
  int max_message_bytes = 16 << 20;
  // minimize_latency's revision (`serve` only; serve-testing quantizes to 10 ms as SpiceDB's).
  RevisionQuantization quantization;
  // Check answers shared across requests (`serve` only; see graph/check_cache.h).
  size_t check_cache_entries = ServingState::kDefaultCheckCacheEntries;
  // gRPC sync-server threads that wait for calls. gRPC's defaults (1 and 2) make a thread per
  // call under concurrent load, and creating and ending threads cost more than a check; keeping
  // a few more halves the server CPU per call.
  int grpc_min_pollers = 4;
  int grpc_max_pollers = 16;
  PermissionsLimits limits;
  WatchOptions watch;
};

class Server {
 public:
  // Opens the datastore and starts serving. Fails with a clear message on bad options, an
  // unusable datastore, or an address that cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options);

  ~Server();

  // The address actually bound (resolves a port of 0).
  const std::string& address() const { return address_; }
  // Blocks until Shutdown().
  void Wait();
  // Stops accepting calls, lets in-flight ones finish (up to a short deadline), then closes
  // the datastore (stopping its garbage collection first).
  void Shutdown();

 private:
  struct Impl;
  static absl::Status OpenStates(const ServerOptions& options, Impl* impl);
  explicit Server(std::unique_ptr<Impl> impl, std::string address);

  std::unique_ptr<Impl> impl_;
  std::string address_;
};

}  // namespace rebac::api

#endif  // REBACD_API_SERVER_H_
