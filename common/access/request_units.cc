#include "common/access/request_units.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"

namespace nq57 {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

class Walk {
 public:
  absl::Status Visit(const Message& message, const std::string& prefix,
                     int depth) {
    if (depth > kMaxWalkDepth) {
      return absl::ResourceExhaustedError(absl::StrCat(
          prefix, ": nested deeper than ", kMaxWalkDepth, " messages"));
    }
    const google::protobuf::Reflection* r = message.GetReflection();
    std::vector<const FieldDescriptor*> fields;
    r->ListFields(message, &fields);
    for (const FieldDescriptor* f : fields) {
      const std::string name = absl::StrCat(prefix, f->name());
      if (f->is_repeated()) {
        const int n = r->FieldSize(message, f);
        for (int i = 0; i < n; ++i) {
          const std::string item = absl::StrCat(name, "[", i, "]");
          if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
            RETURN_IF_ERROR(Add(item, r->GetRepeatedString(message, f, i)));
          } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
            RETURN_IF_ERROR(Visit(r->GetRepeatedMessage(message, f, i),
                                  absl::StrCat(item, "."), depth + 1));
          }
        }
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        RETURN_IF_ERROR(Add(name, r->GetString(message, f)));
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        RETURN_IF_ERROR(Visit(r->GetMessage(message, f),
                              absl::StrCat(name, "."), depth + 1));
      }
    }
    return absl::OkStatus();
  }

  std::vector<UnitReference> Take() { return std::move(refs_); }

 private:
  absl::Status Add(const std::string& field, const std::string& value) {
    std::string unit = UnitOfName(value);
    if (unit.empty()) return absl::OkStatus();
    if (refs_.size() >= kMaxUnitReferences) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the request names more than ", kMaxUnitReferences, " units"));
    }
    refs_.push_back({field, std::move(unit)});
    return absl::OkStatus();
  }

  std::vector<UnitReference> refs_;
};

}  // namespace

std::string UnitOfName(std::string_view name) {
  if (!absl::StartsWith(AbslView(name), "provinces/")) return "";
  std::vector<absl::string_view> parts = absl::StrSplit(AbslView(name), '/');
  size_t keep = 2;
  if (parts.size() >= 4 && (parts[2] == "communes" || parts[2] == "agencies")) {
    keep = 4;
  }
  parts.resize(std::min(keep, parts.size()));
  return absl::StrJoin(parts, "/");
}

absl::StatusOr<std::vector<UnitReference>> UnitsOf(const Message& request) {
  Walk walk;
  if (absl::Status s = walk.Visit(request, "", 0); !s.ok()) return s;
  return walk.Take();
}

}  // namespace nq57
