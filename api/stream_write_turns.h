// StreamWriteTurns: lets the streams of one client connection write their batches in turn.
//
// All streams of a connection write through that connection's HTTP/2 transport, which runs one
// thread's work at a time. When two handler threads write at once, one of them queues its
// message behind the other and sleeps until the other thread has written it: a futex sleep and
// wake-up per message, which on two cores cost LookupResources a fifth of its throughput. Taking
// the connection's turn for a whole batch makes those writes uncontended, so each completes on
// the writer's own thread; the others wait once per batch instead of once per message.
//
// A turn must never let a client that reads one stream slowly stall its other streams: a write
// waits for the client's flow-control window, with the turn held. A stream therefore waits for
// a turn only while the holder has held it for less than `patience`; past that, it writes
// without one (as it would without turns at all).
//
//   StreamWriteTurns turns;
//   StreamWriteTurns::Connection connection = turns.For(context->peer());
//   { StreamWriteTurns::Turn turn = connection.Take(); ...write a batch... }
//
// Thread safety: StreamWriteTurns is safe to share; a Connection or Turn belongs to one thread.
#ifndef REBACD_API_STREAM_WRITE_TURNS_H_
#define REBACD_API_STREAM_WRITE_TURNS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace rebac::api {

class StreamWriteTurns {
  struct Lane;

 public:
  explicit StreamWriteTurns(absl::Duration patience = absl::Milliseconds(5))
      : patience_(patience) {}
  StreamWriteTurns(const StreamWriteTurns&) = delete;
  StreamWriteTurns& operator=(const StreamWriteTurns&) = delete;

  // The right to write on a connection; given back on destruction. A Turn that is not held()
  // was not granted (the holder was overdue): write anyway.
  class Turn {
   public:
    Turn() = default;
    Turn(Turn&& other) noexcept : lane_(std::exchange(other.lane_, nullptr)) {}
    Turn& operator=(Turn&&) = delete;
    ~Turn();
    bool held() const { return lane_ != nullptr; }

   private:
    friend class StreamWriteTurns;
    explicit Turn(Lane* lane) : lane_(lane) {}
    Lane* lane_ = nullptr;
  };

  // One stream's handle on its connection's turns; the connection is known while a handle is.
  class Connection {
   public:
    Connection(Connection&& other) noexcept
        : turns_(other.turns_), lane_(std::exchange(other.lane_, nullptr)) {}
    Connection& operator=(Connection&&) = delete;
    ~Connection();

    // Waits for the connection's turn, or until its holder has held it for `patience`.
    Turn Take();

   private:
    friend class StreamWriteTurns;
    Connection(StreamWriteTurns* turns, Lane* lane) : turns_(turns), lane_(lane) {}
    StreamWriteTurns* turns_;
    Lane* lane_;
  };

  // `peer` names the connection, as grpc::ServerContext::peer() does (address and port).
  Connection For(absl::string_view peer);
  // Connections with a stream that holds a Connection now.
  size_t connections() const;

 private:
  struct Lane {
    std::string peer;
    int handles = 0;  // guarded by StreamWriteTurns::mu_
    absl::Mutex mu;
    bool busy ABSL_GUARDED_BY(mu) = false;
    uint64_t holder ABSL_GUARDED_BY(mu) = 0;  // counts the turns granted
    absl::Time held_since ABSL_GUARDED_BY(mu);
  };
  void Drop(Lane* lane);

  const absl::Duration patience_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Lane>> lanes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rebac::api

#endif  // REBACD_API_STREAM_WRITE_TURNS_H_
