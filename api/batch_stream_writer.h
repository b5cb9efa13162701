// BatchStreamWriter: streams a walk's results in batches, so the walk can pause between them.
//
// A LookupResources walk computes while it holds a compute slot (ComputeSlots) and writes while
// it does not; collecting results into batches makes those pauses few. The first batch holds one
// response, so the first result reaches the client as soon as it is found. Responses are reused
// from batch to batch (their strings keep their capacity): set every field of what Add() hands
// back, clearing the ones a response leaves unset (or Clear() it, which for proto3 also frees
// its submessages).
//
//   BatchStreamWriter<Response> out(writer, 256);
//   Response& r = out.Add(); ...fill r...
//   if (out.full()) { slot.Release(); if (!out.Send()) return; slot.Acquire(...); }
//   ...
//   out.Send();  // the rest
//
// (Writing batches on a thread of their own while the walk goes on was measured here: a tie on
// two quiet cores, a loss on busy ones, where the extra thread's wake-ups cost more than the
// overlap gained. Smaller batches when the server is not crowded overlap the client's reading
// with the walk instead.)
//
// A batch is also full once its first response has waited `max_delay` (looked at every few
// responses), so results found slowly still reach the client while the producer goes on.
//
// A batch goes out in few socket writes: every message but its last is written with gRPC's
// buffer hint, so the transport gathers them, and the last flushes them all (one sendmsg and
// one wake-up of the client per batch, not per message). The stream's first message is never
// hinted: it carries the initial metadata, which the transport completes only once written.
//
// Given the stream's connection (StreamWriteTurns), each batch is written in the connection's
// turn, so the streams of one client do not contend in its transport message by message.
//
// Thread safety: one writer per stream, used from one thread at a time.
#ifndef REBACD_API_BATCH_STREAM_WRITER_H_
#define REBACD_API_BATCH_STREAM_WRITER_H_

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/stream_write_turns.h"
#include "grpcpp/support/sync_stream.h"

namespace rebac::api {

template <typename Response>
class BatchStreamWriter {
 public:
  BatchStreamWriter(grpc::ServerWriterInterface<Response>* writer, size_t batch_size,
                    StreamWriteTurns::Connection* connection = nullptr,
                    absl::Duration max_delay = absl::Milliseconds(20))
      : writer_(writer),
        batch_(std::max<size_t>(batch_size, 1)),
        connection_(connection),
        max_delay_(max_delay) {}

  BatchStreamWriter(const BatchStreamWriter&) = delete;
  BatchStreamWriter& operator=(const BatchStreamWriter&) = delete;

  // The next response of the batch; valid until the next Send.
  Response& Add() {
    if (filled_ == 0) first_added_ = absl::Now();
    return batch_[filled_++];
  }
  // Takes back the response the last Add() handed out (it is not to be sent).
  void Drop() { --filled_; }
  bool full() const {
    return filled_ == limit_ || (filled_ % kDelayCheckInterval == 0 && filled_ > 0 &&
                                 absl::Now() - first_added_ >= max_delay_);
  }

  // Writes the batch and flushes it to the client; the next batch holds `next_batch` responses
  // (0 or more than batch_size: batch_size). Returns false once the stream is broken (the
  // client went away): stop producing.
  bool Send(size_t next_batch = 0) {
    const size_t count = filled_;
    filled_ = 0;
    limit_ = next_batch == 0 ? batch_.size() : std::min(next_batch, batch_.size());
    if (count == 0) return true;
    const StreamWriteTurns::Turn turn =
        connection_ != nullptr ? connection_->Take() : StreamWriteTurns::Turn();
    for (size_t i = 0; i < count; ++i) {
      grpc::WriteOptions options;
      if (i + 1 < count && !first_write_) options.set_buffer_hint();
      first_write_ = false;
      if (!writer_->Write(batch_[i], options)) return false;
    }
    return true;
  }

 private:
  static constexpr size_t kDelayCheckInterval = 8;  // responses between looks at the clock

  grpc::ServerWriterInterface<Response>* writer_;
  std::vector<Response> batch_;
  StreamWriteTurns::Connection* connection_;
  const absl::Duration max_delay_;
  absl::Time first_added_;
  size_t filled_ = 0;
  size_t limit_ = 1;  // responses in the batch when it is full: one for the first
  bool first_write_ = true;
};

}  // namespace rebac::api

#endif  // REBACD_API_BATCH_STREAM_WRITER_H_
