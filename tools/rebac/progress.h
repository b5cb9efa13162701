// A progress line on stderr for long commands (`rebac backup`): how many items so far, of how
// many, and the rate. On a terminal it redraws one line in place (at most 10 times a second);
// otherwise it prints a plain line every 10 seconds, so logs of scripted runs stay short.
//
// Thread safety: one thread at a time.
#ifndef REBACD_TOOLS_REBAC_PROGRESS_H_
#define REBACD_TOOLS_REBAC_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace rebac::cli {

class ProgressLine {
 public:
  // `label` starts each line ("backup", "restore"); `total` is 0 when unknown. Nothing is
  // printed when `enabled` is false.
  ProgressLine(std::string label, uint64_t total, bool enabled);

  // Counts `n` more items done; redraws when it is time to.
  void Add(uint64_t n);

  // Ends the line (on a terminal) and returns the seconds since construction.
  double Finish();

  uint64_t done() const { return done_; }

 private:
  void Draw(bool final);

  using Clock = std::chrono::steady_clock;
  std::string label_;
  uint64_t total_;
  bool enabled_;
  bool tty_;
  uint64_t done_ = 0;
  Clock::time_point start_;
  Clock::time_point last_draw_;
};

// 1234567 → "1,234,567".
std::string WithThousands(uint64_t value);

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_PROGRESS_H_
