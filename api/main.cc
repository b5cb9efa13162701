// rebacd: the server binary. `rebacd serve [flags]` runs the gRPC API until SIGINT/SIGTERM;
// `rebacd serve-testing [flags]` runs it over one isolated in-memory datastore per bearer token,
// for application test suites (like SpiceDB's serve-testing).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <thread>

#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "api/server.h"

namespace {

constexpr char kVersion[] = "0.1.0";

// Waits for SIGINT/SIGTERM on a dedicated thread (signals are blocked everywhere else), then
// shuts the server down gracefully so the datastore closes cleanly.
void ServeUntilSignalled(rebac::api::Server* server) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  std::thread waiter([&] {
    int received = 0;
    sigwait(&signals, &received);
    std::fprintf(stderr, "rebacd: received signal %d, shutting down\n", received);
    server->Shutdown();
  });
  server->Wait();
  // Wait() can only return after Shutdown(), which only the waiter calls.
  waiter.join();
}

}  // namespace

int main(int argc, char** argv) {
  // Block the shutdown signals before any thread starts so that only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Debian's abseil is built with Mutex deadlock detection on: it records a lock graph on every
  // Mutex acquisition (a few percent of a check's CPU). The server's tests run with it on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{"rebacd: a relationship-based authorization server (SpiceDB API compatible)"};
  app.require_subcommand(1);
  rebac::api::ServerOptions options;
  std::string keys;

  CLI::App* serve = app.add_subcommand("serve", "serve the authzed.api.v1 gRPC API");
  serve->add_option("--grpc-addr", options.grpc_addr, "address to listen on")
      ->capture_default_str();
  serve
      ->add_option("--grpc-preshared-key", keys,
                   "preshared key(s) clients must send as `authorization: Bearer KEY`; "
                   "comma-separated for several")
      ->envname("REBACD_GRPC_PRESHARED_KEY");
  serve->add_flag("--insecure-no-auth", options.insecure_no_auth,
                  "serve without authentication (development only)");
  serve->add_option("--grpc-tls-cert-path", options.tls_cert_path, "TLS certificate (PEM)");
  serve->add_option("--grpc-tls-key-path", options.tls_key_path, "TLS private key (PEM)");
  serve->add_option("--datastore-engine", options.datastore_engine, "datastore engine")
      ->capture_default_str();
  serve->add_option("--datastore-path", options.datastore_path,
                    "directory of the embedded RocksDB datastore (created when missing)");
  serve
      ->add_option("--datastore-sync", options.datastore_sync,
                   "fsync every write before acknowledging it")
      ->capture_default_str();
  auto positive_duration = [](const std::string& text) -> std::string {
    absl::Duration d;
    return absl::ParseDuration(text, &d) && d > absl::ZeroDuration()
               ? ""
               : "want a positive duration such as 24h, 3m or 2s";
  };
  std::string gc_window = "24h";
  serve
      ->add_option("--gc-window,--datastore-gc-window", gc_window,
                   "how much history stays readable (snapshot reads at old ZedTokens, Watch "
                   "resumption); older revisions are garbage collected")
      ->capture_default_str()
      ->check(positive_duration);
  std::string gc_interval = "3m";
  serve
      ->add_option("--gc-interval,--datastore-gc-interval", gc_interval,
                   "how often garbage collection runs")
      ->capture_default_str()
      ->check(positive_duration);
  std::string quantization_interval = "5s";
  serve
      ->add_option("--datastore-revision-quantization-interval", quantization_interval,
                   "minimize_latency reads one revision per interval, so caches hit (0 turns it "
                   "off)")
      ->capture_default_str()
      ->check([](const std::string& text) -> std::string {
        absl::Duration d;
        return absl::ParseDuration(text, &d) && d >= absl::ZeroDuration()
                   ? ""
                   : "want a duration such as 5s or 100ms";
      });
  serve
      ->add_option("--datastore-revision-quantization-max-staleness-percent",
                   options.quantization.max_staleness_percent,
                   "how far past its interval a quantized revision may be used, as a fraction "
                   "of the interval")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  serve
      ->add_option("--check-cache-entries", options.check_cache_entries,
                   "check sub-problem answers kept across requests, keyed by revision (0 turns "
                   "the cache off)")
      ->capture_default_str();
  serve
      ->add_option("--dispatch-max-depth", options.limits.max_depth,
                   "maximum depth of a permission walk")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  serve
      ->add_option("--lookup-resources-concurrency", options.limits.lookup_concurrency,
                   "LookupResources walks computing at once; more wait their turn (0 = one per "
                   "core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 4096));
  serve
      ->add_option("--write-relationships-max-updates-per-call",
                   options.limits.max_updates_per_write, "maximum updates per write")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  serve
      ->add_option("--max-message-bytes", options.max_message_bytes,
                   "largest gRPC message accepted or sent")
      ->capture_default_str()
      ->check(CLI::Range(1024, 1 << 30));

  rebac::api::ServerOptions testing_options;
  testing_options.testing_mode = true;
  // Clients' test suites dial `localhost:50051`, which may resolve to ::1 or 127.0.0.1; gRPC
  // listens on every address `localhost` resolves to.
  testing_options.grpc_addr = "localhost:50051";
  CLI::App* serve_testing = app.add_subcommand(
      "serve-testing",
      "serve the API for tests: each bearer token gets its own empty in-memory datastore");
  serve_testing->add_option("--grpc-addr", testing_options.grpc_addr, "address to listen on")
      ->capture_default_str();
  serve_testing
      ->add_option("--write-relationships-max-updates-per-call",
                   testing_options.limits.max_updates_per_write, "maximum updates per write")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  serve_testing
      ->add_option("--max-message-bytes", testing_options.max_message_bytes,
                   "largest gRPC message accepted or sent")
      ->capture_default_str()
      ->check(CLI::Range(1024, 1 << 30));

  app.add_subcommand("version", "print the version")->callback([] {
    std::cout << "rebacd " << kVersion << "\n";
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (serve_testing->parsed()) {
    auto server = rebac::api::Server::Start(testing_options);
    if (!server.ok()) {
      std::fprintf(stderr, "rebacd: %s\n", std::string(server.status().message()).c_str());
      return 1;
    }
    std::fprintf(stderr,
                 "rebacd %s: serving authzed.api.v1 for tests on %s (one in-memory datastore "
                 "per bearer token, no authentication)\n",
                 kVersion, (*server)->address().c_str());
    ServeUntilSignalled(server->get());
    server->reset();
    std::fprintf(stderr, "rebacd: stopped\n");
    return 0;
  }
  if (!serve->parsed()) return 0;

  absl::ParseDuration(quantization_interval, &options.quantization.interval);  // checked above
  absl::ParseDuration(gc_window, &options.gc_window);                          // checked above
  absl::ParseDuration(gc_interval, &options.gc_interval);                      // checked above
  for (absl::string_view key : absl::StrSplit(keys, ',', absl::SkipWhitespace())) {
    options.preshared_keys.emplace_back(key);
  }
  auto server = rebac::api::Server::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "rebacd: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  std::fprintf(stderr, "rebacd %s: serving authzed.api.v1 on %s (datastore rocksdb at %s)%s\n",
               kVersion, (*server)->address().c_str(), options.datastore_path.c_str(),
               options.insecure_no_auth ? " WITHOUT authentication" : "");
  ServeUntilSignalled(server->get());
  server->reset();
  std::fprintf(stderr, "rebacd: stopped\n");
  return 0;
}
