#include "common/base/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/base/absl_view.h"

namespace nq57 {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kJson};

// JSON's two-character escapes: kEscaped[i] is written as '\\' followed by
// kEscapeLetters[i]; other control characters become \u00XX.
constexpr std::string_view kEscaped = "\"\\\n\r\t";
constexpr std::string_view kEscapeLetters = "\"\\nrt";

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    if (size_t i = kEscaped.find(static_cast<char>(c));
        i != std::string_view::npos) {
      out->push_back('\\');
      out->push_back(kEscapeLetters[i]);
    } else if (c < 0x20) {
      absl::StrAppendFormat(out, "\\u%04x", c);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

void AppendValue(std::string* out, const LogField& field, bool json) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          if (json) {
            AppendJsonString(out, v);
          } else {
            out->append(v);
          }
        } else if constexpr (std::is_same_v<T, bool>) {
          out->append(v ? "true" : "false");
        } else if constexpr (std::is_same_v<T, double>) {
          absl::StrAppendFormat(out, "%.3f", v);
        } else {
          absl::StrAppend(out, v);
        }
      },
      field.value);
}

void Emit(std::string_view level, std::string_view message,
          std::initializer_list<LogField> fields) {
  std::string line = FormatLogLine(g_format.load(std::memory_order_relaxed),
                                   level, message, fields);
  line.push_back('\n');
  // One write(2) per line keeps concurrent lines whole.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

bool ParseLogFormat(std::string_view text, LogFormat* format) {
  if (text == "json") {
    *format = LogFormat::kJson;
    return true;
  }
  if (text == "text") {
    *format = LogFormat::kText;
    return true;
  }
  return false;
}

void SetLogFormat(LogFormat format) { g_format.store(format); }

std::string FormatLogLine(LogFormat format, std::string_view level,
                          std::string_view message,
                          std::initializer_list<LogField> fields) {
  std::string ts = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(),
                                    absl::UTCTimeZone());
  std::string out;
  if (format == LogFormat::kJson) {
    absl::StrAppend(&out, "{\"ts\":\"", ts, "\",\"level\":\"", AbslView(level),
                    "\",\"msg\":");
    AppendJsonString(&out, message);
    for (const LogField& f : fields) {
      out.push_back(',');
      AppendJsonString(&out, f.key);
      out.push_back(':');
      AppendValue(&out, f, /*json=*/true);
    }
    out.push_back('}');
  } else {
    absl::StrAppend(&out, ts, " ", AbslView(level), " ", AbslView(message));
    for (const LogField& f : fields) {
      absl::StrAppend(&out, " ", AbslView(f.key), "=");
      AppendValue(&out, f, /*json=*/false);
    }
  }
  return out;
}

void LogInfo(std::string_view message, std::initializer_list<LogField> fields) {
  Emit("info", message, fields);
}
void LogWarning(std::string_view message,
                std::initializer_list<LogField> fields) {
  Emit("warning", message, fields);
}
void LogError(std::string_view message,
              std::initializer_list<LogField> fields) {
  Emit("error", message, fields);
}

}  // namespace nq57
