// The SpiceDB schema language: text in, CompiledSchema (or a positioned error) out.
//
//   auto compiled = rebac::schema::Compile(text);
//   if (!compiled.ok()) { /* compiled.error(): message, line, column, kind */ }
//
// Compile() is a pure function: no I/O, safe to call from any thread.
#ifndef REBACD_SCHEMA_COMPILER_H_
#define REBACD_SCHEMA_COMPILER_H_

#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "schema/compiled_schema.h"

namespace rebac::schema {

// Why a schema was refused. kParse maps to SpiceDB's ERROR_REASON_SCHEMA_PARSE_ERROR
// (INVALID_ARGUMENT) and kType to ERROR_REASON_SCHEMA_TYPE_ERROR (FAILED_PRECONDITION). kUnknown
// is for the few errors SpiceDB returns untyped, which reach clients as UNKNOWN without a reason
// (partials that never resolve, a permission that is only itself).
struct SchemaError {
  enum class Kind { kParse, kType, kUnknown };
  Kind kind = Kind::kParse;
  std::string message;      // human text, without the position
  int line = 0;             // 1-based
  int column = 0;           // 1-based
  std::string source_code;  // the offending token or name, when known

  // The text SpiceDB's WriteSchema returns: "parse error in `schema`, line L, column C: message"
  // for kParse; the bare message otherwise (SpiceDB carries a type error's position in the error
  // details).
  std::string ToString() const;
};

class CompileResult {
 public:
  explicit CompileResult(std::shared_ptr<const CompiledSchema> schema)
      : value_(std::move(schema)) {}
  explicit CompileResult(SchemaError error) : value_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<std::shared_ptr<const CompiledSchema>>(value_); }
  const std::shared_ptr<const CompiledSchema>& schema() const {
    return std::get<std::shared_ptr<const CompiledSchema>>(value_);
  }
  const SchemaError& error() const { return std::get<SchemaError>(value_); }

 private:
  std::variant<std::shared_ptr<const CompiledSchema>, SchemaError> value_;
};

// Parses and checks `text`. On success every name is resolved: each allowed subject type names
// a definition (and, for `type#rel`, a relation of it), each computed userset and arrow tupleset
// names a relation of its definition, caveats referenced exist, no duplicates.
// As in SpiceDB, syntax errors and the compiler's own checks (name syntax, nested arrows, caveat
// parameter types, duplicate definitions, caveat expressions that do not parse or type-check
// as CEL) are kParse; name resolution failures and unused caveat parameters are kType. A caveat
// expression error is positioned inside the expression, in schema line:column. Empty text
// compiles to an empty schema.
CompileResult Compile(std::string_view text);

// The canonical text of `schema`, as ReadSchema returns it (SpiceDB's generator layout).
std::string Print(const CompiledSchema& schema);

}  // namespace rebac::schema

#endif  // REBACD_SCHEMA_COMPILER_H_
