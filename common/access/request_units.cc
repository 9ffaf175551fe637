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

// Visits every set field; the path of a field is spelled out only for the
// strings that name a unit (the access gate walks every request, so the
// common case allocates nothing per field).
class Walk {
 public:
  absl::Status Visit(const Message& message, int depth) {
    if (depth > kMaxWalkDepth) {
      return absl::ResourceExhaustedError(absl::StrCat(
          PathText(), ": nested deeper than ", kMaxWalkDepth, " messages"));
    }
    const google::protobuf::Reflection* r = message.GetReflection();
    std::vector<const FieldDescriptor*> fields;
    r->ListFields(message, &fields);
    for (const FieldDescriptor* f : fields) {
      const auto type = f->cpp_type();
      if (type != FieldDescriptor::CPPTYPE_STRING &&
          type != FieldDescriptor::CPPTYPE_MESSAGE) {
        continue;
      }
      if (f->is_repeated()) {
        const int n = r->FieldSize(message, f);
        for (int i = 0; i < n; ++i) {
          path_.push_back({f, i});
          absl::Status s =
              type == FieldDescriptor::CPPTYPE_STRING
                  ? Add(r->GetRepeatedStringReference(message, f, i, &scratch_))
                  : Visit(r->GetRepeatedMessage(message, f, i), depth + 1);
          path_.pop_back();
          RETURN_IF_ERROR(s);
        }
      } else {
        path_.push_back({f, -1});
        absl::Status s = type == FieldDescriptor::CPPTYPE_STRING
                             ? Add(r->GetStringReference(message, f, &scratch_))
                             : Visit(r->GetMessage(message, f), depth + 1);
        path_.pop_back();
        RETURN_IF_ERROR(s);
      }
    }
    return absl::OkStatus();
  }

  std::vector<UnitReference> Take() { return std::move(refs_); }

 private:
  absl::Status Add(const std::string& value) {
    if (!absl::StartsWith(value, "provinces/")) return absl::OkStatus();
    if (refs_.size() >= kMaxUnitReferences) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the request names more than ", kMaxUnitReferences, " units"));
    }
    refs_.push_back({PathText(), UnitOfName(value)});
    return absl::OkStatus();
  }

  // "items[3].assignment"
  std::string PathText() const {
    std::string out;
    for (const auto& [field, index] : path_) {
      if (!out.empty()) out += '.';
      out += field->name();
      if (index >= 0) absl::StrAppend(&out, "[", index, "]");
    }
    return out;
  }

  std::vector<std::pair<const FieldDescriptor*, int>> path_;
  std::string scratch_;
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
  if (absl::Status s = walk.Visit(request, 0); !s.ok()) return s;
  std::vector<UnitReference> refs = walk.Take();
  // A request's own unit, parent or province left empty asks about the
  // whole country.
  const google::protobuf::Descriptor* d = request.GetDescriptor();
  const google::protobuf::Reflection* r = request.GetReflection();
  std::string scratch;
  for (const char* name : {"unit", "parent", "province"}) {
    const FieldDescriptor* f = d->FindFieldByName(name);
    if (f == nullptr || f->is_repeated() ||
        f->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
      continue;
    }
    const google::protobuf::OneofDescriptor* oneof = f->containing_oneof();
    const bool unset =
        oneof != nullptr ? !r->HasOneof(request, oneof)
                         : r->GetStringReference(request, f, &scratch).empty();
    if (unset) refs.push_back({name, std::string(kWholeCountry)});
  }
  return refs;
}

}  // namespace nq57
