#include "common/store/acknowledged_mark.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/absl_view.h"
#include "common/base/digest.h"

namespace nq57 {
namespace {

// "nq57-acknowledged <sequence> <first 16 hex digits of its SHA-256>",
// padded with spaces to a fixed size and ended by a newline.
constexpr size_t kLineSize = 64;
constexpr char kTag[] = "nq57-acknowledged";

std::string Path(const std::string& dir) {
  return absl::StrCat(dir, "/", AcknowledgedMark::kFileName);
}

std::string Check(uint64_t sequence) {
  return Sha256Hex(absl::StrCat(kTag, " ", sequence)).substr(0, 16);
}

absl::Status ErrnoError(std::string_view what, const std::string& path) {
  const int error = errno;
  const std::string message =
      absl::StrCat(AbslView(what), " ", path, ": ", std::strerror(error));
  return error == ENOSPC ? absl::ResourceExhaustedError(message)
                         : absl::UnavailableError(message);
}

}  // namespace

absl::StatusOr<std::optional<uint64_t>> AcknowledgedMark::Read(
    const std::string& dir) {
  const std::string path = Path(dir);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    return ErrnoError("cannot open", path);
  }
  char buffer[kLineSize + 1];
  const ssize_t n = ::pread(fd, buffer, sizeof(buffer), 0);
  ::close(fd);
  if (n < 0) return ErrnoError("cannot read", path);
  const std::vector<absl::string_view> words =
      absl::StrSplit(absl::string_view(buffer, static_cast<size_t>(n)), ' ',
                     absl::SkipWhitespace());
  uint64_t sequence = 0;
  if (static_cast<size_t>(n) != kLineSize || buffer[kLineSize - 1] != '\n' ||
      words.size() != 3 || words[0] != kTag ||
      !absl::SimpleAtoi(words[1], &sequence) || words[2] != Check(sequence)) {
    return absl::DataLossError(absl::StrCat(
        path,
        " is damaged (a torn write or a foreign file); it records how "
        "far acknowledged writes reach, so the store cannot be checked"));
  }
  return sequence;
}

absl::Status AcknowledgedMark::Write(const std::string& dir,
                                     uint64_t sequence) {
  std::string line =
      absl::StrCat(kTag, " ", sequence, " ", Check(sequence), " ");
  line.resize(kLineSize - 1, ' ');
  line.push_back('\n');
  const std::string path = Path(dir);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot open", path);
  absl::Status status = absl::OkStatus();
  if (::pwrite(fd, line.data(), line.size(), 0) !=
      static_cast<ssize_t>(line.size())) {
    status = ErrnoError("cannot write", path);
  } else if (::fdatasync(fd) != 0) {
    status = ErrnoError("cannot sync", path);
  }
  ::close(fd);
  return status;
}

AcknowledgedMark::AcknowledgedMark(std::string dir, uint64_t sequence,
                                   absl::Duration interval)
    : dir_(std::move(dir)), interval_(interval), wanted_(sequence) {
  writer_ = std::thread([this, sequence] { WriterLoop(sequence); });
}

AcknowledgedMark::~AcknowledgedMark() { Close(); }

void AcknowledgedMark::Advance(uint64_t sequence) {
  absl::MutexLock lock(&mu_);
  if (sequence > wanted_) wanted_ = sequence;
}

void AcknowledgedMark::Close() {
  {
    absl::MutexLock lock(&mu_);
    if (closing_) return;
    closing_ = true;
  }
  writer_.join();
}

void AcknowledgedMark::WriterLoop(uint64_t written) {
  while (true) {
    uint64_t wanted;
    bool closing;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this, written]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return closing_ || wanted_ > written;
      };
      mu_.Await(absl::Condition(&ready));
      wanted = wanted_;
      closing = closing_;
    }
    // A failed write (e.g. a full disk) leaves the older, lower mark: still
    // a true lower bound. The next change tries again.
    if (wanted > written && Write(dir_, wanted).ok()) written = wanted;
    if (closing) return;
    absl::SleepFor(interval_);
  }
}

}  // namespace nq57
