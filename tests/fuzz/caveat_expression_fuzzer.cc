// libFuzzer target: a caveat expression over a fixed set of parameters (one of each type) must
// compile or be refused cleanly; a compiled one must evaluate without crashing, within its
// budget, with no context (everything unknown) and with a full one, and its canonical text must
// compile to the same canonical text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "schema/caveats/convert.h"
#include "schema/caveats/evaluate.h"
#include "schema/caveats/expression.h"

namespace {

using rebac::schema::caveats::Context;
using rebac::schema::caveats::IpAddress;
using rebac::schema::caveats::Parameter;
using rebac::schema::caveats::Value;
using rebac::schema::caveats::ValueList;
using rebac::schema::caveats::ValueMap;

std::vector<Parameter> MakeParameters() {
  static const char* const kParams[][2] = {
      {"a", "int"},
      {"u", "uint"},
      {"f", "double"},
      {"b", "bool"},
      {"s", "string"},
      {"y", "bytes"},
      {"d", "duration"},
      {"t", "timestamp"},
      {"ip", "ipaddress"},
      {"x", "any"},
      {"l", "list<int>"},
      {"m", "map<string>"},
      {"n", "map<list<any>>"},
  };
  std::vector<Parameter> out;
  for (const auto& [name, type] : kParams) {
    out.push_back(Parameter{name, *rebac::schema::caveats::ParseParameterType(type)});
  }
  return out;
}

Context MakeContext() {
  Context context;
  context["a"] = Value::Int(7);
  context["u"] = Value::Int(3);
  context["f"] = Value::Double(2.5);
  context["b"] = Value::Bool(true);
  context["s"] = Value::String("hello");
  context["y"] = Value::Bytes("\x01\x02");
  context["d"] = Value::Duration(absl::Minutes(90));
  context["t"] = Value::Timestamp(absl::FromUnixSeconds(1700000000));
  IpAddress ip;
  IpAddress::Parse("10.1.2.3", &ip);
  context["ip"] = Value::Ip(ip);
  context["x"] = Value::List({Value::Int(1), Value::String("z")});
  context["l"] = Value::List({Value::Int(1), Value::Int(2), Value::Int(3)});
  context["m"] = Value::Map({{"k", Value::String("v")}});
  context["n"] = Value::Map({{"k", Value::List({Value::Double(1)})}});
  return context;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<Parameter>* const kParameters =
      new std::vector<Parameter>(MakeParameters());
  static const Context* const kContext = new Context(MakeContext());
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto compiled = rebac::schema::caveats::CompileExpression(text, *kParameters);
  if (compiled.error) return 0;
  rebac::schema::caveats::EvalOptions options;
  options.max_cost = 20'000;
  (void)rebac::schema::caveats::Evaluate(*compiled.expression, Context(), options);
  (void)rebac::schema::caveats::Evaluate(*compiled.expression, *kContext, options);
  const std::string canonical = compiled.expression->ToString();
  auto again = rebac::schema::caveats::CompileExpression(canonical, *kParameters);
  if (again.error) {
    std::fprintf(stderr, "canonical text does not compile: %s\n--- canonical:\n%s\n",
                 again.error->message.c_str(), canonical.c_str());
    std::abort();
  }
  if (again.expression->ToString() != canonical) {
    std::fprintf(stderr, "canonical text is not a fixed point:\n%s\n%s\n", canonical.c_str(),
                 again.expression->ToString().c_str());
    std::abort();
  }
  return 0;
}
