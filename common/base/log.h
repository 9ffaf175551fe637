// The one logging module of nq57: structured events, one line each.
//
// Debian's Abseil 20220623 has no absl/log, so every service logs through
// here. An event is a message plus named fields; it is written to stderr as
// one JSON object per line (the default, for log collectors) or as a
// human-readable line (`--log_format=text`). Thread-safe: lines from
// concurrent threads never interleave.
//
//   LogInfo("rpc", {{"method", "/nq57.criteria.v1.Criteria/Get"},
//                   {"code", "OK"}, {"latency_ms", 0.42}});
#ifndef NQ57_COMMON_BASE_LOG_H_
#define NQ57_COMMON_BASE_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace nq57 {

enum class LogFormat { kJson, kText };

// Parses "json" or "text"; returns false for anything else.
bool ParseLogFormat(std::string_view text, LogFormat* format);
void SetLogFormat(LogFormat format);

struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v)
      : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const std::string& v)
      : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, int v) : key(k), value(int64_t{v}) {}
  LogField(std::string_view k, uint64_t v) : key(k), value(v) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}

  std::string_view key;
  std::variant<std::string_view, int64_t, uint64_t, double, bool> value;
};

void LogInfo(std::string_view message,
             std::initializer_list<LogField> fields = {});
void LogWarning(std::string_view message,
                std::initializer_list<LogField> fields = {});
void LogError(std::string_view message,
              std::initializer_list<LogField> fields = {});

// Formats one event as it would be logged (without the trailing newline);
// exposed for tests.
std::string FormatLogLine(LogFormat format, std::string_view level,
                          std::string_view message,
                          std::initializer_list<LogField> fields);

}  // namespace nq57

#endif  // NQ57_COMMON_BASE_LOG_H_
