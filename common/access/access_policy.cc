#include "common/access/access_policy.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/access/request_units.h"
#include "common/base/absl_view.h"
#include "common/base/bounded_file.h"
#include "common/base/status_macros.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "nq57/config/v1/access.pb.h"

namespace nq57 {
namespace {

using common::v1::Role;

bool IsVersion(std::string_view v) {
  if (v.empty() || v.size() > 64) return false;
  for (char c : v) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

bool IsTrustDomain(std::string_view d) {
  if (d.empty() || d.size() > 255) return false;
  for (char c : d) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '.' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

// Inside `scope`: the scope itself or a name under it.
bool InScope(std::string_view scope, std::string_view unit) {
  if (scope == "*") return true;
  return unit == scope || (unit.size() > scope.size() &&
                           absl::StartsWith(AbslView(unit), AbslView(scope)) &&
                           unit[scope.size()] == '/');
}

// The parser's first complaint, kept for the status instead of the log.
class FirstError final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (text.empty())
      text = absl::StrCat(line + 1, ":", column + 1, ": ", message);
  }
  std::string text;
};

}  // namespace

std::string RoleName(Role role) {
  return absl::StrReplaceAll(absl::AsciiStrToLower(common::v1::Role_Name(role)),
                             {{"_", " "}});
}

absl::StatusOr<std::unique_ptr<AccessPolicy>> AccessPolicy::Parse(
    std::string_view textproto, std::string_view origin) {
  const std::string where(origin);
  auto error = [&](std::string_view field, std::string_view problem) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", AbslView(field), ": ", AbslView(problem)));
  };
  if (textproto.size() > kMaxFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": larger than ", kMaxFileBytes, " bytes"));
  }
  config::v1::AccessPolicy proto;
  FirstError first;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&first);
  if (!parser.ParseFromString(std::string(textproto), &proto)) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": not a valid nq57.config.v1.AccessPolicy (", first.text, ")"));
  }
  if (!IsVersion(proto.version())) {
    return error("version", "required: 1..64 of [A-Za-z0-9._-]");
  }
  if (!IsTrustDomain(proto.trust_domain())) {
    return error("trust_domain", "required: a lowercase DNS-like name");
  }
  if (proto.grants_size() > kMaxGrants) {
    return error("grants", absl::StrCat("more than ", kMaxGrants));
  }
  const std::string prefix =
      absl::StrCat("spiffe://", proto.trust_domain(), "/");
  absl::flat_hash_map<std::string, std::vector<Scoped>> grants;
  for (int i = 0; i < proto.grants_size(); ++i) {
    const config::v1::Grant& g = proto.grants(i);
    const std::string field = absl::StrCat("grants[", i, "]");
    const std::string& id = g.identity();
    if (!absl::StartsWith(id, prefix) || id.size() == prefix.size() ||
        id.size() > 512) {
      return error(absl::StrCat(field, ".identity"),
                   absl::StrCat("expected ", prefix, "<path> (<= 512 bytes)"));
    }
    for (char c : id) {
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
        return error(absl::StrCat(field, ".identity"),
                     "holds whitespace or a control character");
      }
    }
    if (g.roles_size() == 0) {
      return error(absl::StrCat(field, ".roles"), "at least one role");
    }
    if (g.units_size() == 0) {
      return error(absl::StrCat(field, ".units"), "at least one unit or \"*\"");
    }
    for (int u = 0; u < g.units_size(); ++u) {
      const std::string& unit = g.units(u);
      if (unit != "*" && UnitOfName(unit) != unit) {
        return error(absl::StrCat(field, ".units[", u, "]"),
                     "expected \"*\", provinces/NN, provinces/NN/communes/"
                     "NNNNN or provinces/NN/agencies/ID");
      }
    }
    std::vector<Scoped>& held = grants[id];
    for (int r = 0; r < g.roles_size(); ++r) {
      const Role role = g.roles(r);
      if (role == common::v1::ROLE_UNSPECIFIED) {
        return error(absl::StrCat(field, ".roles[", r, "]"),
                     "ROLE_UNSPECIFIED is not a role");
      }
      for (const std::string& unit : g.units()) held.push_back({role, unit});
    }
  }
  return std::unique_ptr<AccessPolicy>(
      new AccessPolicy(proto.version(), std::move(grants)));
}

absl::StatusOr<std::unique_ptr<AccessPolicy>> AccessPolicy::LoadFile(
    const std::string& path) {
  ASSIGN_OR_RETURN(const std::string text,
                   ReadBoundedFile(path, kMaxFileBytes, "--access_policy"));
  return Parse(text, path);
}

bool AccessPolicy::Holds(std::string_view identity, Role role) const {
  auto it = grants_.find(AbslView(identity));
  if (it == grants_.end()) return false;
  for (const Scoped& s : it->second) {
    if (s.role == role) return true;
  }
  return false;
}

bool AccessPolicy::Allows(std::string_view identity, Role role,
                          std::string_view unit) const {
  auto it = grants_.find(AbslView(identity));
  if (it == grants_.end()) return false;
  for (const Scoped& s : it->second) {
    if (s.role == role && InScope(s.scope, unit)) return true;
  }
  return false;
}

}  // namespace nq57
