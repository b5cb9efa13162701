// Tokenizer for caveat expressions (CEL's lexical grammar): numbers (decimal and hex ints, `u`
// uints, doubles), strings and bytes in all CEL quotings (single, double, triple, raw `r`, bytes
// `b`) with their escapes decoded, identifiers, operators, `//` comments.
#ifndef REBACD_SCHEMA_CAVEATS_LEXER_H_
#define REBACD_SCHEMA_CAVEATS_LEXER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "schema/caveats/value.h"

namespace rebac::schema::caveats::internal {

struct CelToken {
  enum class Kind { kEnd, kError, kIdent, kLiteral, kOperator };
  Kind kind = Kind::kEnd;
  absl::string_view text;  // the source bytes
  int offset = 0;
  Value literal;      // kLiteral: the decoded value (ints out of range are kError)
  std::string error;  // kError
};

class CelLexer {
 public:
  explicit CelLexer(absl::string_view input) : input_(input) {}
  CelToken Next();

 private:
  CelToken Number(size_t start);
  CelToken Quoted(size_t start, size_t prefix_length, bool raw, bool bytes);
  CelToken Error(size_t at, std::string message);

  absl::string_view input_;
  size_t pos_ = 0;
};

}  // namespace rebac::schema::caveats::internal

#endif  // REBACD_SCHEMA_CAVEATS_LEXER_H_
