#include "tests/support/full_disk_env.h"

#include <string>
#include <utility>

namespace nq57::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

class FullableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FullableFile(std::unique_ptr<rocksdb::FSWritableFile> file,
               std::shared_ptr<std::atomic<bool>> full)
      : FSWritableFileOwnerWrapper(std::move(file)), full_(std::move(full)) {}

  IOStatus Append(const Slice& data, const IOOptions& options,
                  IODebugContext* dbg) override {
    if (full_->load()) return IOStatus::NoSpace("FullDiskEnv: disk full");
    return FSWritableFileOwnerWrapper::Append(data, options, dbg);
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info,
                  IODebugContext* dbg) override {
    if (full_->load()) return IOStatus::NoSpace("FullDiskEnv: disk full");
    return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset,
                            const IOOptions& options,
                            IODebugContext* dbg) override {
    if (full_->load()) return IOStatus::NoSpace("FullDiskEnv: disk full");
    return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options,
                                                        dbg);
  }

 private:
  const std::shared_ptr<std::atomic<bool>> full_;
};

class FullableFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit FullableFileSystem(std::shared_ptr<std::atomic<bool>> full)
      : FileSystemWrapper(rocksdb::FileSystem::Default()),
        full_(std::move(full)) {}
  const char* Name() const override { return "FullableFileSystem"; }

  IOStatus NewWritableFile(const std::string& name,
                           const rocksdb::FileOptions& options,
                           std::unique_ptr<rocksdb::FSWritableFile>* file,
                           IODebugContext* dbg) override {
    IOStatus s = FileSystemWrapper::NewWritableFile(name, options, file, dbg);
    if (s.ok()) file->reset(new FullableFile(std::move(*file), full_));
    return s;
  }
  IOStatus ReopenWritableFile(const std::string& name,
                              const rocksdb::FileOptions& options,
                              std::unique_ptr<rocksdb::FSWritableFile>* file,
                              IODebugContext* dbg) override {
    IOStatus s =
        FileSystemWrapper::ReopenWritableFile(name, options, file, dbg);
    if (s.ok()) file->reset(new FullableFile(std::move(*file), full_));
    return s;
  }

 private:
  const std::shared_ptr<std::atomic<bool>> full_;
};

}  // namespace

FullDiskEnv::FullDiskEnv()
    : full_(std::make_shared<std::atomic<bool>>(false)),
      env_(rocksdb::NewCompositeEnv(
          std::make_shared<FullableFileSystem>(full_))) {}

}  // namespace nq57::testing
