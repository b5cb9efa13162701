// Reading a whole input named on the command line, where "-" means standard input.
#ifndef REBACD_TOOLS_REBAC_INPUT_FILE_H_
#define REBACD_TOOLS_REBAC_INPUT_FILE_H_

#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace rebac::cli {

inline absl::StatusOr<std::string> ReadInput(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return absl::DataLossError(absl::StrCat("error while reading ", path));
  return contents;
}

}  // namespace rebac::cli

#endif  // REBACD_TOOLS_REBAC_INPUT_FILE_H_
