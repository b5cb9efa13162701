// CoalescingWriter: streams many small responses with few socket writes.
//
// A server stream that writes each message on its own pays a sendmsg and a wake-up of the
// client per message; for LookupResources that cost is most of the request (hundreds of tiny
// messages). This writer holds back the newest response and writes the ones before it with
// gRPC's buffer hint, so the transport gathers them; every `max_batch` messages, or once the
// oldest gathered one has waited `max_delay`, a write goes out without the hint and flushes
// the lot. Flush() writes the held response unhinted, so the last message never waits for a
// timer (a stream whose final message is hinted stalls until the transport flushes on its own).
//
// Messages gathered while the producer then finds nothing for a while wait until its next
// message or Flush(): at most max_batch - 1 of them. A producer that pauses to compute flushes
// first.
//
// Thread safety: one writer per stream, used from the handler's thread only.
#ifndef REBACD_API_COALESCING_WRITER_H_
#define REBACD_API_COALESCING_WRITER_H_

#include <cstddef>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/support/sync_stream.h"

namespace rebac::api {

template <typename Response>
class CoalescingWriter {
 public:
  explicit CoalescingWriter(grpc::ServerWriterInterface<Response>* writer, size_t max_batch = 256,
                            absl::Duration max_delay = absl::Milliseconds(2))
      : writer_(writer), max_batch_(max_batch), max_delay_(max_delay) {}

  // Queues `response`; the one queued before it goes to the transport. Returns false once the
  // stream is broken (the client went away): stop producing.
  bool Write(Response&& response) {
    if (held_) {
      if (!Send(/*flush=*/false)) return false;
    }
    std::swap(held_response_, response);
    held_ = true;
    return true;
  }

  // Writes the held response and flushes everything; writing may go on afterwards. Returns false
  // when the stream is broken.
  bool Flush() {
    if (!held_) return true;
    return Send(/*flush=*/true);
  }

 private:
  bool Send(bool flush) {
    held_ = false;
    grpc::WriteOptions options;
    // The first message carries the stream's initial metadata, which the transport only
    // completes once written: a hinted first write would wait for a flush that never comes.
    if (first_) {
      first_ = false;
      flush = true;
    }
    if (!flush) {
      const absl::Time now = absl::Now();
      if (gathered_ == 0) gathering_since_ = now;
      flush = gathered_ + 1 >= max_batch_ || now - gathering_since_ >= max_delay_;
    }
    if (flush) {
      gathered_ = 0;
    } else {
      options.set_buffer_hint();
      ++gathered_;
    }
    return writer_->Write(held_response_, options);
  }

  grpc::ServerWriterInterface<Response>* writer_;
  const size_t max_batch_;
  const absl::Duration max_delay_;
  Response held_response_;
  bool held_ = false;
  bool first_ = true;
  size_t gathered_ = 0;  // hinted writes since the last flush
  absl::Time gathering_since_;
};

}  // namespace rebac::api

#endif  // REBACD_API_COALESCING_WRITER_H_
