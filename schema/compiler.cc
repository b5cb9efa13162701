#include "schema/compiler.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "schema/caveat_usage.h"
#include "schema/parser.h"
#include "schema/translator.h"
#include "schema/type_check.h"

namespace rebac::schema {

std::string SchemaError::ToString() const {
  // SpiceDB prefixes compiler errors with their position but returns type errors bare (their
  // position travels in the error details only); clients see exactly that text.
  if (kind != Kind::kParse) return message;
  return absl::StrCat("parse error in `schema`, line ", line, ", column ", column, ": ", message);
}

CompileResult Compile(std::string_view text) {
  internal::ParseResult parsed = internal::Parse(absl::string_view(text.data(), text.size()));
  if (parsed.error.has_value()) return CompileResult(std::move(*parsed.error));

  std::vector<Definition> definitions;
  std::vector<Caveat> caveats;
  if (auto error = internal::Translate(parsed.file, &definitions, &caveats)) {
    return CompileResult(std::move(*error));
  }
  // SpiceDB validates caveats before definitions when a schema is written.
  if (auto error = internal::CheckCaveatParameterUsage(parsed.file, caveats)) {
    return CompileResult(std::move(*error));
  }
  if (auto error = internal::TypeCheck(parsed.file)) return CompileResult(std::move(*error));
  return CompileResult(
      std::make_shared<const CompiledSchema>(std::move(definitions), std::move(caveats)));
}

}  // namespace rebac::schema
