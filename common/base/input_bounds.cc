#include "common/base/input_bounds.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/base/quote.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"

namespace nq57 {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The fields that may hold more than kDefaultTextBytes, by name (the same
// name means the same kind of text in every service's contract).
const absl::flat_hash_map<std::string_view, TextBound>& Table() {
  static const auto* const table =
      new absl::flat_hash_map<std::string_view, TextBound>{
          // Display text: a Vietnamese title of a criterion or procedure.
          {"title", {1024, false}},
          {"name_vi", {512, false}},
          {"name_en", {512, false}},
          {"display_name", {512, false}},
          {"label_vi", {512, false}},
          {"label_en", {512, false}},
          {"province_name", {512, false}},
          // Where a figure or a task comes from: a document reference, a
          // URL, a system's name.
          {"source", {512, false}},
          {"source_reference", {512, false}},
          {"document_number", {512, false}},
          {"link", {2048, false}},
          // Free text a person writes.
          {"note", {4096, true}},
          {"correction_reason", {2048, true}},
          // Opaque tokens made by our servers.
          {"page_token", {1024, false}},
          // The probe service's echo (tests and benchmarks of the server).
          {"payload", {64 << 10, false}},
      };
  return *table;
}

class Walker {
 public:
  void Check(const Message& m, const std::string& prefix, int depth) {
    if (depth > kMaxDepth) {
      Add(prefix, absl::StrCat("nests deeper than ", kMaxDepth, " levels"));
      return;
    }
    const Reflection* r = m.GetReflection();
    std::vector<const FieldDescriptor*> fields;
    r->ListFields(m, &fields);
    for (const FieldDescriptor* f : fields) {
      const std::string path = absl::StrCat(prefix, f->name());
      if (f->is_map()) {
        CheckMap(m, f, path, depth);
      } else if (f->is_repeated()) {
        const int n = r->FieldSize(m, f);
        if (static_cast<size_t>(n) > kMaxRepeated) {
          Add(path, absl::StrCat("has ", n, " items; at most ", kMaxRepeated));
          continue;
        }
        for (int i = 0; i < n; ++i) {
          const std::string item = absl::StrCat(path, "[", i, "]");
          if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
            std::string scratch;
            CheckString(f, r->GetRepeatedStringReference(m, f, i, &scratch),
                        item);
          } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
            Check(r->GetRepeatedMessage(m, f, i), item + ".", depth + 1);
          }
        }
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        std::string scratch;
        CheckString(f, r->GetStringReference(m, f, &scratch), path);
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        Check(r->GetMessage(m, f), path + ".", depth + 1);
      }
      if (violations_.size() >= kMaxViolations) return;
    }
  }

  absl::Status Result() const {
    FieldErrors errors;
    for (const FieldViolation& v : violations_) {
      errors.Add(v.field, v.description);
    }
    return errors.ToStatus();
  }

 private:
  void Add(const std::string& field, std::string description) {
    if (violations_.size() < kMaxViolations) {
      violations_.push_back({field, std::move(description)});
    }
  }

  void CheckMap(const Message& m, const FieldDescriptor* f,
                const std::string& path, int depth) {
    const Reflection* r = m.GetReflection();
    const int n = r->FieldSize(m, f);
    if (static_cast<size_t>(n) > kMaxMapEntries) {
      Add(path, absl::StrCat("has ", n, " entries; at most ", kMaxMapEntries));
      return;
    }
    const FieldDescriptor* key = f->message_type()->map_key();
    const FieldDescriptor* value = f->message_type()->map_value();
    for (int i = 0; i < n; ++i) {
      const Message& entry = r->GetRepeatedMessage(m, f, i);
      const Reflection* er = entry.GetReflection();
      std::string label = absl::StrCat(i);
      if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        std::string scratch;
        const std::string& k = er->GetStringReference(entry, key, &scratch);
        label = Quoted(k, 32);
        CheckText(k, TextBound{}, absl::StrCat(path, " key ", label));
      }
      const std::string item = absl::StrCat(path, "[", label, "]");
      if (value->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        std::string scratch;
        CheckString(value, er->GetStringReference(entry, value, &scratch),
                    item);
      } else if (value->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        Check(er->GetMessage(entry, value), item + ".", depth + 1);
      }
    }
  }

  void CheckString(const FieldDescriptor* f, const std::string& value,
                   const std::string& path) {
    if (f->type() == FieldDescriptor::TYPE_BYTES) {
      if (value.size() > kMaxBytesField) {
        Add(path, absl::StrCat("is ", value.size(), " bytes; at most ",
                               kMaxBytesField));
      }
      return;
    }
    CheckText(value, TextBoundOf(f->name()), path);
  }

  void CheckText(std::string_view value, const TextBound& bound,
                 const std::string& path) {
    if (value.size() > bound.max_bytes) {
      Add(path, absl::StrCat("is ", value.size(), " bytes; at most ",
                             bound.max_bytes));
      return;
    }
    for (size_t i = 0; i < value.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(value[i]);
      if (c >= 0x20 && c != 0x7f) continue;
      if (bound.multiline && (c == '\n' || c == '\t' || c == '\r')) continue;
      Add(path, absl::StrFormat("must not contain control characters "
                                "(U+%04X at byte %d)",
                                c, i));
      return;
    }
  }

  std::vector<FieldViolation> violations_;
};

}  // namespace

TextBound TextBoundOf(std::string_view field_name) {
  auto it = Table().find(field_name);
  return it == Table().end() ? TextBound{} : it->second;
}

absl::Status CheckInputBounds(const Message& request) {
  Walker walker;
  walker.Check(request, "", 0);
  return walker.Result();
}

}  // namespace nq57
