// libFuzzer target: Compile() on arbitrary schema text must never crash, leak or hang; a schema
// it accepts must print to text that compiles again and prints the same (a fixed point).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "schema/compiler.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  rebac::schema::CompileResult result = rebac::schema::Compile(text);
  if (!result.ok()) {
    (void)result.error().ToString();
    return 0;
  }
  const std::string printed = rebac::schema::Print(*result.schema());
  rebac::schema::CompileResult again = rebac::schema::Compile(printed);
  if (!again.ok()) {
    std::fprintf(stderr, "printed schema does not compile: %s\n--- printed:\n%s\n",
                 again.error().ToString().c_str(), printed.c_str());
    std::abort();
  }
  if (rebac::schema::Print(*again.schema()) != printed) {
    std::fprintf(stderr, "printing is not a fixed point\n--- printed:\n%s\n", printed.c_str());
    std::abort();
  }
  return 0;
}
