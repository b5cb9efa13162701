#include "tools/rebac/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rebac::cli {

std::string WithThousands(uint64_t value) {
  std::string digits = absl::StrCat(value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

ProgressLine::ProgressLine(std::string label, uint64_t total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      tty_(isatty(STDERR_FILENO) == 1),
      start_(Clock::now()),
      last_draw_(start_) {}

void ProgressLine::Add(uint64_t n) {
  done_ += n;
  if (!enabled_) return;
  auto now = Clock::now();
  auto interval = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(10000);
  if (now - last_draw_ >= interval) {
    last_draw_ = now;
    Draw(/*final=*/false);
  }
}

double ProgressLine::Finish() {
  double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  if (enabled_ && tty_) Draw(/*final=*/true);
  return seconds;
}

void ProgressLine::Draw(bool final) {
  double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  double rate = seconds > 0 ? done_ / seconds : 0;
  std::string line = absl::StrCat(label_, ": ", WithThousands(done_));
  if (total_ > 0) {
    double fraction = std::min(1.0, static_cast<double>(done_) / total_);
    constexpr int kWidth = 24;
    int filled = static_cast<int>(fraction * kWidth);
    if (tty_) {
      line = absl::StrCat(label_, ": [", std::string(filled, '#'),
                          std::string(kWidth - filled, '.'), "] ", WithThousands(done_));
    }
    absl::StrAppend(&line, " / ", WithThousands(total_),
                    absl::StrFormat(" relationships (%.0f%%)", fraction * 100));
  } else {
    absl::StrAppend(&line, " relationships");
  }
  absl::StrAppend(&line, ", ", WithThousands(static_cast<uint64_t>(rate)), "/s");
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace rebac::cli
