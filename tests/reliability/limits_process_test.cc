// criteria-server as a real process at its limits: more change-feed streams
// than --max_streams_per_peer are refused with RESOURCE_EXHAUSTED (and a
// retry delay) before they start, a closed stream gives its slot back, and a
// request out of the input bounds is INVALID_ARGUMENT naming the field
// without echoing the value. Links no server code.
#include <memory>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nq57/changes/v1/changes.grpc.pb.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "tests/support/process_fixture.h"

namespace nq57 {
namespace {

struct OpenStream {
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientReader<changes::v1::ChangeBatch>> reader;
};

// Opens a Subscribe stream and reads its first batch (the caught-up one),
// so the server has admitted it; nullopt-like empty reader if refused.
OpenStream Subscribe(changes::v1::ChangeFeed::Stub& feed) {
  OpenStream s;
  s.context = std::make_unique<grpc::ClientContext>();
  changes::v1::SubscribeRequest request;
  s.reader = feed.Subscribe(s.context.get(), request);
  changes::v1::ChangeBatch batch;
  if (!s.reader->Read(&batch)) s.reader.reset();
  return s;
}

class LimitsProcessTest : public nq57::testing::ServerProcessTest {};

TEST_F(LimitsProcessTest, StreamsPerPeerAreCapped) {
  auto server =
      StartServer("criteria-server",
                  {.extra = {"--max_streams_per_peer=2", "--drain_seconds=1"}});
  ASSERT_NE(server, nullptr);
  auto feed = changes::v1::ChangeFeed::NewStub(ChannelTo(*server));
  std::vector<OpenStream> open;
  for (int i = 0; i < 2; ++i) {
    open.push_back(Subscribe(*feed));
    ASSERT_NE(open.back().reader, nullptr) << "stream " << i;
  }
  {
    grpc::ClientContext context;
    auto reader = feed->Subscribe(&context, changes::v1::SubscribeRequest());
    changes::v1::ChangeBatch batch;
    EXPECT_FALSE(reader->Read(&batch));
    const grpc::Status refused = reader->Finish();
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_NE(refused.error_message().find("--max_streams_per_peer"),
              std::string::npos)
        << refused.error_message();
    EXPECT_FALSE(refused.error_details().empty());  // RetryInfo
  }
  // A closed stream gives its slot back.
  open.back().context->TryCancel();
  open.back().reader->Finish();
  open.pop_back();
  OpenStream again;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  do {
    again = Subscribe(*feed);
  } while (again.reader == nullptr && absl::Now() < deadline);
  EXPECT_NE(again.reader, nullptr);
  for (OpenStream* s : {&open[0], &again}) {
    if (s->reader == nullptr) continue;
    s->context->TryCancel();
    s->reader->Finish();
  }
}

TEST_F(LimitsProcessTest, OversizedInputIsRefusedWithoutBeingEchoed) {
  auto server =
      StartServer("criteria-server", {.extra = {"--drain_seconds=1"}});
  ASSERT_NE(server, nullptr);
  auto criteria = criteria::v1::CriteriaService::NewStub(ChannelTo(*server));
  criteria::v1::CreateAssignmentRequest request;
  request.set_unit(std::string(100000, 'u'));
  criteria::v1::Assignment response;
  grpc::ClientContext context;
  const grpc::Status status =
      criteria->CreateAssignment(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "unit: is 100000 bytes; at most 256");
  EXPECT_LT(status.error_details().size(), 1000u);
  // The log holds no part of the value either.
  criteria.reset();
  EXPECT_TRUE(TerminatesCleanly(*server));
  EXPECT_EQ(ServerLog().find("uuuuuuuuuuuuuuuu"), std::string::npos);
}

}  // namespace
}  // namespace nq57
