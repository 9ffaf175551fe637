// In-process servers for loopback-gRPC tests: the options a test server is
// created with (a free port on 127.0.0.1, its store where the test says,
// the shipped config), a channel to it, the shutdown each such test ends
// with, and LoopbackServerTest<XServer, Service>, the fixture that does all
// of it for one server and one stub. Plus the field of a grpc::Status's
// BadRequest details, the way clients see a request error.
//
// The test (or the fixture, for LoopbackServerTest) owns its server as a
// std::unique_ptr<XServer>; the free functions only use it. Not
// thread-safe.
//
//   class XServiceTest
//       : public nq57::testing::LoopbackServerTest<XServer, v1::XService> {};
//   TEST_F(XServiceTest, RejectsABadName) {
//     ...
//     EXPECT_EQ(FieldOf(Call(&v1::XService::Stub::Get, bad, &out)), "name");
//   }
#ifndef NQ57_TESTS_SUPPORT_LOOPBACK_SERVER_H_
#define NQ57_TESTS_SUPPORT_LOOPBACK_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/base/field_error.h"
#include "common/server/server.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace nq57::testing {

// {.listen = "127.0.0.1:0", .data_dir = data_dir, .config_dir = shipped}.
ServerOptions LoopbackServerOptions(const std::string& data_dir);

// An insecure channel to the server's address.
std::shared_ptr<grpc::Channel> ChannelTo(Server& server);

// BeginShutdown, then the host's drain within `drain`.
void Shutdown(Server& server, absl::Duration drain = absl::Seconds(5));

// Shuts `server` down (if there is one) and destroys it.
template <typename XServer>
void StopServer(std::unique_ptr<XServer>& server,
                absl::Duration drain = absl::Seconds(5)) {
  if (server != nullptr) Shutdown(*server, drain);
  server.reset();
}

// One unary call of `method` on `stub` with a context of its own; `actor`
// (when not empty) goes in the x-nq57-actor header.
template <typename Stub, typename Request, typename Response>
grpc::Status CallOnce(Stub& stub,
                      grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                   const Request&, Response*),
                      const Request& request, Response* response,
                      const std::string& actor = "") {
  grpc::ClientContext context;
  if (!actor.empty()) context.AddMetadata("x-nq57-actor", actor);
  return (stub.*method)(&context, request, response);
}

template <typename CreateFunction>
struct CreateOptionsOf;
template <typename Result, typename XOptions>
struct CreateOptionsOf<Result (*)(const XOptions&)> {
  using type = XOptions;
};

// A TempDirTest with one XServer on loopback and a stub of its `Service`:
// SetUp creates the server from ServerOptions() (a failure is a fatal test
// failure), opens channel_ to it and stub_ on it; TearDown shuts it down.
// XServer is a Server with `static Create(const XOptions&)`; Service is a
// generated gRPC service class (with NewStub).
template <typename XServer, typename Service>
class LoopbackServerTest : public TempDirTest {
 protected:
  // XOptions, the parameter of XServer::Create.
  using Options = typename CreateOptionsOf<decltype(&XServer::Create)>::type;

  // {.server = LoopbackServerOptions(Path("db"))}, the rest defaulted;
  // override to set the service's own options.
  virtual Options ServerOptions() const {
    Options options;
    options.server = LoopbackServerOptions(Path("db"));
    return options;
  }
  void SetUp() override {
    auto server = XServer::Create(ServerOptions());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = ChannelTo(*server_);
    stub_ = Service::NewStub(channel_);
  }
  void TearDown() override { StopServer(server_); }

  // One call on stub_ with a context of its own, as "test-platform".
  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (Service::Stub::*method)(grpc::ClientContext*,
                                                          const Request&,
                                                          Response*),
                    const Request& request, Response* response) {
    return CallOnce(*stub_, method, request, response, "test-platform");
  }

  std::unique_ptr<XServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<typename Service::Stub> stub_;
};

// The field violations in `status`'s BadRequest details.
std::vector<FieldViolation> ViolationsOf(const grpc::Status& status);
// The first violation's field, or "<none: message>" when there is none.
std::string FieldOf(const grpc::Status& status);
// FieldOf for an INVALID_ARGUMENT, else "<CODE: message>": one comparison
// checks both the code and the field.
std::string InvalidFieldOf(const grpc::Status& status);

}  // namespace nq57::testing

#endif  // NQ57_TESTS_SUPPORT_LOOPBACK_SERVER_H_
