// ReflectionClient: one grpc.reflection.v1alpha stream to a server, for
// process tests that check what a server lists and describes; and
// MissingNames, the names a listing lacks.
//
// Only for tests that link no server code: the generated reflection messages
// here are a second copy of those inside gRPC's server reflection library.
// ReflectionClient owns its stream; not thread-safe (one test, one owner).
//
//   nq57::testing::ReflectionClient reflection(channel);
//   absl::StatusOr<std::vector<std::string>> names = reflection.ListServices();
//   ASSERT_TRUE(names.ok()) << names.status();
#ifndef NQ57_TESTS_SUPPORT_REFLECTION_CLIENT_H_
#define NQ57_TESTS_SUPPORT_REFLECTION_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace nq57::testing {

// The names of `expected` that are not in `names` (empty when all are).
std::vector<std::string> MissingNames(const std::vector<std::string>& names,
                                      const std::vector<std::string>& expected);

// One grpc.reflection.v1alpha stream. The destructor (or Close) half-closes
// and cancels it, so no open stream holds a server's drain.
class ReflectionClient {
 public:
  explicit ReflectionClient(const std::shared_ptr<grpc::Channel>& channel);
  ~ReflectionClient();
  ReflectionClient(const ReflectionClient&) = delete;
  ReflectionClient& operator=(const ReflectionClient&) = delete;

  // The full names of every service the server lists.
  absl::StatusOr<std::vector<std::string>> ListServices();
  // The answer to file_containing_symbol(`symbol`): a file descriptor
  // response, or an error response from the server.
  absl::StatusOr<grpc::reflection::v1alpha::ServerReflectionResponse>
  FileContaining(const std::string& symbol);
  void Close();

 private:
  absl::StatusOr<grpc::reflection::v1alpha::ServerReflectionResponse> Ask(
      const grpc::reflection::v1alpha::ServerReflectionRequest& request);

  std::unique_ptr<grpc::reflection::v1alpha::ServerReflection::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<
      grpc::reflection::v1alpha::ServerReflectionRequest,
      grpc::reflection::v1alpha::ServerReflectionResponse>>
      stream_;
};

}  // namespace nq57::testing

#endif  // NQ57_TESTS_SUPPORT_REFLECTION_CLIENT_H_
