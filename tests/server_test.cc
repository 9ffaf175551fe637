// The common server in-process, over real gRPC on loopback: health
// transitions, field errors as BadRequest details, the change feed.
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/base/field_error.h"
#include "common/server/grpc_status.h"
#include "common/server/server_host.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tests/probe/probe_service.h"
#include "tests/support/store_test.h"

namespace nq57 {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// The host on its own (not through ProbeServer, which reports SERVING at
// once): a probe service and a change feed over a real store.
class ServerTest : public nq57::testing::StoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(OpenStore({"entries"}));
    probe_service_ = std::make_unique<ProbeService>(store_.get());
    feed_service_ = std::make_unique<ChangeFeedService>(&store_->change_log());
    auto host = ServerHost::Start(
        {.listen = "127.0.0.1:0"}, {probe_service_.get(), feed_service_.get()},
        {testing::v1::Probe::service_full_name(),
         changes::v1::ChangeFeed::service_full_name()});
    ASSERT_TRUE(host.ok()) << host.status();
    host_ = std::move(*host);
    channel_ = grpc::CreateChannel(host_->address(),
                                   grpc::InsecureChannelCredentials());
    probe_ = testing::v1::Probe::NewStub(channel_);
    feed_ = changes::v1::ChangeFeed::NewStub(channel_);
    health_ = Health::NewStub(channel_);
  }
  void TearDown() override {
    if (host_) {
      BeginShutdown();
      host_->Shutdown(absl::Seconds(5));
    }
    host_.reset();
    feed_service_.reset();
    probe_service_.reset();
    store_.reset();
  }
  void BeginShutdown() { store_->change_log().Close(); }

  HealthCheckResponse::ServingStatus Check(const std::string& service) {
    grpc::ClientContext ctx;
    HealthCheckRequest req;
    req.set_service(service);
    HealthCheckResponse resp;
    grpc::Status s = health_->Check(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.status();
  }

  grpc::Status Put(const std::string& key, const std::string& value,
                   const std::string& request_id = "",
                   testing::v1::PutResponse* out = nullptr) {
    grpc::ClientContext ctx;
    testing::v1::PutRequest req;
    req.set_key(key);
    req.set_value(value);
    req.set_request_id(request_id);
    testing::v1::PutResponse resp;
    grpc::Status s = probe_->Put(&ctx, req, &resp);
    if (out != nullptr) *out = resp;
    return s;
  }

  std::unique_ptr<ProbeService> probe_service_;
  std::unique_ptr<ChangeFeedService> feed_service_;
  std::unique_ptr<ServerHost> host_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<testing::v1::Probe::Stub> probe_;
  std::unique_ptr<changes::v1::ChangeFeed::Stub> feed_;
  std::unique_ptr<Health::Stub> health_;
};

TEST_F(ServerTest, HealthNotServingThenServingThenNotServingOnShutdown) {
  const std::string probe = testing::v1::Probe::service_full_name();
  EXPECT_EQ(Check(""), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Check(probe), HealthCheckResponse::NOT_SERVING);
  host_->SetServing(true);
  EXPECT_EQ(Check(""), HealthCheckResponse::SERVING);
  EXPECT_EQ(Check(probe), HealthCheckResponse::SERVING);

  // A Watch stream sees the shutdown as NOT_SERVING.
  grpc::ClientContext watch_ctx;
  HealthCheckRequest req;
  req.set_service(probe);
  auto watch = health_->Watch(&watch_ctx, req);
  HealthCheckResponse resp;
  ASSERT_TRUE(watch->Read(&resp));
  EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING);
  std::thread stopper([&] {
    BeginShutdown();
    host_->Shutdown(absl::Seconds(5));
  });
  ASSERT_TRUE(watch->Read(&resp));
  EXPECT_EQ(resp.status(), HealthCheckResponse::NOT_SERVING);
  watch_ctx.TryCancel();
  watch->Finish();
  stopper.join();
  host_.reset();
}

TEST_F(ServerTest, InvalidArgumentCarriesBadRequestDetails) {
  grpc::Status s = Put("", "v");
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  absl::Status back = FromGrpcStatus(s);
  auto violations = FieldViolationsOf(back);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "key");
  // Nothing was written, and the server keeps serving.
  EXPECT_EQ(store_->stats().commits, 0u);
  EXPECT_TRUE(Put("k", "v").ok());
}

TEST_F(ServerTest, IdempotentPutOverRpc) {
  testing::v1::PutResponse first, retry;
  ASSERT_TRUE(Put("k", "1", "req-1", &first).ok());
  ASSERT_TRUE(Put("k", "1", "req-1", &retry).ok());
  EXPECT_EQ(first.sequence(), retry.sequence());
  EXPECT_EQ(Put("k", "2", "req-1").error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

// Reads batches until `n` records arrived; returns them.
std::vector<changes::v1::ChangeRecord> ReadRecords(
    grpc::ClientReader<changes::v1::ChangeBatch>* reader, size_t n) {
  std::vector<changes::v1::ChangeRecord> out;
  changes::v1::ChangeBatch batch;
  while (out.size() < n && reader->Read(&batch)) {
    for (auto& r : batch.records()) out.push_back(r);
  }
  return out;
}

TEST_F(ServerTest, SubscribeReplaysThenFollowsLiveCommits) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Put(absl::StrCat("k", i), "v").ok());
  grpc::ClientContext ctx;
  changes::v1::SubscribeRequest req;
  req.set_from_sequence(0);
  req.set_max_batch_records(2);
  auto reader = feed_->Subscribe(&ctx, req);
  auto replayed = ReadRecords(reader.get(), 5);
  ASSERT_EQ(replayed.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(replayed[i].sequence(), i + 1);
  // Caught up: a batch tells the head; then live commits arrive.
  std::thread writer([&] {
    for (int i = 5; i < 8; ++i)
      ASSERT_TRUE(Put(absl::StrCat("k", i), "v").ok());
  });
  auto live = ReadRecords(reader.get(), 3);
  writer.join();
  ASSERT_EQ(live.size(), 3u);
  EXPECT_EQ(live[0].sequence(), 6u);
  EXPECT_EQ(live[2].sequence(), 8u);
  EXPECT_EQ(live[2].resource(), "entries/k7");
  ctx.TryCancel();
  reader->Finish();
}

TEST_F(ServerTest, SubscribeFromNReceivesExactlyNPlusOneOnward) {
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(Put(absl::StrCat("k", i), "v").ok());
  grpc::ClientContext ctx;
  changes::v1::SubscribeRequest req;
  req.set_from_sequence(4);
  auto reader = feed_->Subscribe(&ctx, req);
  changes::v1::ChangeBatch batch;
  ASSERT_TRUE(reader->Read(&batch));
  ASSERT_EQ(batch.records_size(), 3);
  EXPECT_EQ(batch.records(0).sequence(), 4u);
  EXPECT_EQ(batch.head_sequence(), 6u);
  // Every batch says which log its sequences belong to, and the scope.
  EXPECT_EQ(batch.log_id(), store_->log_id());
  EXPECT_EQ(batch.scope(), "");
  ctx.TryCancel();
  reader->Finish();
}

TEST_F(ServerTest, ManySubscribersAndCancelledOnesAreReleased) {
  constexpr int kSubscribers = 12;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<changes::v1::ChangeBatch>>>
      readers;
  for (int i = 0; i < kSubscribers; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    changes::v1::SubscribeRequest req;
    readers.push_back(feed_->Subscribe(contexts.back().get(), req));
    changes::v1::ChangeBatch caught_up;  // empty log: the head-only batch
    ASSERT_TRUE(readers.back()->Read(&caught_up));
    EXPECT_EQ(caught_up.head_sequence(), 0u);
  }
  // Half of them go away while waiting for commits.
  for (int i = 0; i < kSubscribers / 2; ++i) {
    contexts[i]->TryCancel();
    EXPECT_EQ(readers[i]->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  ASSERT_TRUE(Put("a", "1").ok());
  ASSERT_TRUE(Put("b", "2").ok());
  for (int i = kSubscribers / 2; i < kSubscribers; ++i) {
    auto got = ReadRecords(readers[i].get(), 2);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[1].sequence(), 2u);
  }
  // Shutdown ends the remaining streams promptly with UNAVAILABLE.
  const absl::Time start = absl::Now();
  BeginShutdown();
  for (int i = kSubscribers / 2; i < kSubscribers; ++i) {
    changes::v1::ChangeBatch batch;
    while (readers[i]->Read(&batch)) {
    }
    EXPECT_EQ(readers[i]->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  }
  host_->Shutdown(absl::Seconds(5));
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));
  host_.reset();
}

// The streams of a feed share one read-ahead budget: the more replay at
// once, the smaller each one's batches, so 128 streams replaying from 1 do
// not each hold a full batch.
TEST_F(ServerTest, ReplayingStreamsShareTheReadAhead) {
  const std::string value(16 << 10, 'x');  // 16 KiB records
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(Put(absl::StrCat("k", i), value).ok());
  }
  constexpr int kStreams = 128;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<changes::v1::ChangeBatch>>>
      readers;
  std::vector<int> first_batch;
  for (int i = 0; i < kStreams; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    changes::v1::SubscribeRequest req;
    req.set_from_sequence(1);
    req.set_max_batch_records(4096);
    readers.push_back(feed_->Subscribe(contexts.back().get(), req));
    changes::v1::ChangeBatch batch;
    ASSERT_TRUE(readers.back()->Read(&batch));
    first_batch.push_back(batch.records_size());
  }
  // Alone, a stream gets a full batch (about 1 MiB: 64 records); the last
  // of 128 its share of the budget (32 MiB / 128 = 256 KiB: 16 records).
  EXPECT_GE(first_batch.front(), 60);
  EXPECT_LE(first_batch.back(), 17);
  for (auto& c : contexts) c->TryCancel();
  for (auto& r : readers) r->Finish();
}

// A unary call may not outlive --max_call_seconds, whatever deadline the
// client sent: the server cancels a handler that never finishes, counts it,
// and serves on.
TEST_F(ServerTest, UnaryCallsAreCancelledAtTheServersCap) {
  auto host = ServerHost::Start(
      {.listen = "127.0.0.1:0", .max_call = absl::Seconds(1)},
      {probe_service_.get()}, {testing::v1::Probe::service_full_name()});
  ASSERT_TRUE(host.ok()) << host.status();
  auto probe = testing::v1::Probe::NewStub(grpc::CreateChannel(
      (*host)->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext held;
  held.set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(30));
  testing::v1::EchoRequest hold;
  hold.set_payload("hold");
  testing::v1::EchoResponse response;
  const absl::Time start = absl::Now();
  grpc::Status s = probe->Echo(&held, hold, &response);
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED) << s.error_message();
  EXPECT_GE(took, absl::Seconds(1));
  EXPECT_LT(took, absl::Seconds(5));
  EXPECT_EQ((*host)->calls_cancelled(), 1);

  // A quick call is not touched, and a client deadline sooner than the cap
  // stays the client's.
  grpc::ClientContext quick;
  testing::v1::EchoRequest echo;
  echo.set_payload("x");
  EXPECT_TRUE(probe->Echo(&quick, echo, &response).ok());
  grpc::ClientContext short_deadline;
  short_deadline.set_deadline(std::chrono::system_clock::now() +
                              std::chrono::milliseconds(200));
  s = probe->Echo(&short_deadline, hold, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ((*host)->calls_cancelled(), 1);
  (*host)->Shutdown(absl::Seconds(1));
}

// A body that does not parse is INVALID_ARGUMENT saying so, not gRPC's
// bare UNIMPLEMENTED; an unknown method is UNIMPLEMENTED naming it.
TEST_F(ServerTest, UnparsableBodyAndUnknownMethodAreToldApart) {
  grpc::GenericStub generic(channel_);
  auto call = [&](const std::string& method, const std::string& body) {
    grpc::Slice slice(body);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::ClientContext ctx;
    grpc::CompletionQueue cq;
    auto rpc = generic.PrepareUnaryCall(&ctx, method, request, &cq);
    rpc->StartCall();
    grpc::Status status;
    rpc->Finish(&response, &status, reinterpret_cast<void*>(1));
    void* tag;
    bool ok;
    EXPECT_TRUE(cq.Next(&tag, &ok));
    return status;
  };
  // Field 1 with wire type 7 (none such): not a protobuf message.
  grpc::Status s = call("/nq57.testing.v1.Probe/Put", "\x0f\xff\xff");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("not a valid nq57.testing.v1.PutRequest"),
            std::string::npos)
      << s.error_message();
  s = call("/nq57.testing.v1.Probe/Nope", "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_NE(s.error_message().find("/nq57.testing.v1.Probe/Nope"),
            std::string::npos)
      << s.error_message();
  // And the server serves on.
  EXPECT_TRUE(Put("k", "v").ok());
}

TEST(ServerHostTest, RejectsBadListenAddress) {
  auto host = ServerHost::Start({.listen = "nonsense"}, {}, {});
  EXPECT_EQ(host.status().code(), absl::StatusCode::kInvalidArgument);
  auto taken = ServerHost::Start({.listen = "127.0.0.1:0"}, {}, {});
  ASSERT_TRUE(taken.ok());
  auto clash = ServerHost::Start(
      {.listen = absl::StrCat("127.0.0.1:", (*taken)->port())}, {}, {});
  EXPECT_FALSE(clash.ok());
}

}  // namespace
}  // namespace nq57
