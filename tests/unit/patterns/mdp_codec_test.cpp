// MDP/0.1 (RFC 7) messages: what each side builds is what the other parses, frame for frame,
// and each malformed message is refused with the fault that names it.
#include "patterns/pipe_peer.hpp"

#include "patterns/envelope.hpp"
#include "patterns/mdp_codec.hpp"

#include <gtest/gtest.h>

using namespace cafmq;
using namespace cafmq::patterns;
using namespace cafmq::patterns::mdp;
using test::frames;
using test::strings;

namespace {

const std::string ready_byte{"\x01"};
const std::string request_byte{"\x02"};
const std::string reply_byte{"\x03"};
const std::string heartbeat_byte{"\x04"};
const std::string disconnect_byte{"\x05"};

message msg(const strings& parts) {
  message m;
  for (auto& p : parts)
    m.add(frame{p});
  return m;
}

TEST(MdpCodec, ClientRequestFromReqAndDealerHasTheRfcFrames) {
  EXPECT_EQ(frames(client_request("echo", msg({"a", "b"}), false)),
            (strings{"MDPC01", "echo", "a", "b"}));
  EXPECT_EQ(frames(client_request("echo", msg({"a"}), true)), (strings{"", "MDPC01", "echo", "a"}));
}

TEST(MdpCodec, BrokerParsesAClientRequestWithItsAddress) {
  broker_inbound in;
  ASSERT_EQ(parse_broker_inbound(msg({"C1", "", "MDPC01", "echo", "x", "", "y"}), in), fault::none);
  EXPECT_FALSE(in.from_worker);
  EXPECT_EQ(frames(in.sender), strings{"C1"});
  EXPECT_EQ(in.client.service, "echo");
  EXPECT_EQ(frames(in.client.body), (strings{"x", "", "y"}));  // empty body frames stay body
}

TEST(MdpCodec, AnAddressThroughAProxyIsTheWholeEnvelopeStack) {
  broker_inbound in;
  ASSERT_EQ(parse_broker_inbound(msg({"P", "C1", "", "MDPC01", "echo", "x"}), in), fault::none);
  EXPECT_EQ(frames(in.sender), (strings{"P", "C1"}));
  EXPECT_EQ(frames(broker_reply(in.sender, "echo", msg({"r"}))),
            (strings{"P", "C1", "", "MDPC01", "echo", "r"}));
}

TEST(MdpCodec, BrokerParsesEachWorkerCommand) {
  broker_inbound in;
  ASSERT_EQ(parse_broker_inbound(msg({"W", "", "MDPW01", ready_byte, "echo"}), in), fault::none);
  EXPECT_TRUE(in.from_worker);
  EXPECT_EQ(in.worker.cmd, command::ready);
  EXPECT_EQ(in.worker.service, "echo");

  ASSERT_EQ(parse_broker_inbound(msg({"W", "", "MDPW01", reply_byte, "C1", "", "r1", "r2"}), in),
            fault::none);
  EXPECT_EQ(in.worker.cmd, command::reply);
  EXPECT_EQ(frames(in.worker.client), strings{"C1"});
  EXPECT_EQ(frames(in.worker.body), (strings{"r1", "r2"}));

  ASSERT_EQ(parse_broker_inbound(msg({"W", "", "MDPW01", heartbeat_byte}), in), fault::none);
  EXPECT_EQ(in.worker.cmd, command::heartbeat);
  ASSERT_EQ(parse_broker_inbound(msg({"W", "", "MDPW01", disconnect_byte}), in), fault::none);
  EXPECT_EQ(in.worker.cmd, command::disconnect);
}

TEST(MdpCodec, WhatTheWorkerBuildsTheBrokerParses) {
  broker_inbound in;
  EXPECT_EQ(frames(worker_ready("echo")), (strings{"", "MDPW01", ready_byte, "echo"}));
  message with_id = msg({"W"});
  append_frames(with_id, worker_ready("echo"));
  ASSERT_EQ(parse_broker_inbound(with_id, in), fault::none);
  EXPECT_EQ(in.worker.service, "echo");

  message reply = msg({"W"});
  append_frames(reply, worker_reply(msg({"C1"}), msg({"done"})));
  ASSERT_EQ(parse_broker_inbound(reply, in), fault::none);
  EXPECT_EQ(frames(in.worker.client), strings{"C1"});
  EXPECT_EQ(frames(in.worker.body), strings{"done"});

  EXPECT_EQ(frames(worker_signal(command::heartbeat)), (strings{"", "MDPW01", heartbeat_byte}));
}

TEST(MdpCodec, WhatTheBrokerSendsTheWorkerParses) {
  message to_worker = broker_request(msg({"W"}), msg({"C1"}), msg({"a", "b"}));
  EXPECT_EQ(frames(to_worker), (strings{"W", "", "MDPW01", request_byte, "C1", "", "a", "b"}));
  // The worker's DEALER sees it without the routing id.
  message seen;
  for (size_t i = 1; i < to_worker.size(); ++i)
    seen.add(to_worker[i]);
  worker_message w;
  ASSERT_EQ(parse_worker_inbound(seen, w), fault::none);
  EXPECT_EQ(w.cmd, command::request);
  EXPECT_EQ(frames(w.client), strings{"C1"});
  EXPECT_EQ(frames(w.body), (strings{"a", "b"}));

  EXPECT_EQ(frames(broker_signal(msg({"W"}), command::disconnect)),
            (strings{"W", "", "MDPW01", disconnect_byte}));
  ASSERT_EQ(parse_worker_inbound(msg({"", "MDPW01", disconnect_byte}), w), fault::none);
  EXPECT_EQ(w.cmd, command::disconnect);
}

TEST(MdpCodec, ClientParsesRepliesOnReqAndDealer) {
  client_message c;
  ASSERT_EQ(parse_client_reply(msg({"MDPC01", "echo", "r"}), false, c), fault::none);
  EXPECT_EQ(c.service, "echo");
  EXPECT_EQ(frames(c.body), strings{"r"});
  ASSERT_EQ(parse_client_reply(msg({"", "MDPC01", "echo", "r", "s"}), true, c), fault::none);
  EXPECT_EQ(frames(c.body), (strings{"r", "s"}));
  EXPECT_EQ(parse_client_reply(msg({"MDPC01", "echo", "r"}), true, c), fault::missing_delimiter);
  EXPECT_EQ(parse_client_reply(msg({"", "MDPW01", "echo"}), true, c), fault::unknown_protocol);
  EXPECT_EQ(parse_client_reply(msg({"MDPC01"}), false, c), fault::too_few_frames);
  EXPECT_EQ(parse_client_reply(msg({"MDPC01", ""}), false, c), fault::empty_service);
}

TEST(MdpCodec, BrokerRefusesMalformedMessagesWithTheirFault) {
  broker_inbound in;
  EXPECT_EQ(parse_broker_inbound(msg({"C1", "MDPC01", "echo"}), in), fault::missing_delimiter);
  EXPECT_EQ(parse_broker_inbound(msg({"", "MDPC01", "echo"}), in), fault::missing_address);
  EXPECT_EQ(parse_broker_inbound(msg({"C1", ""}), in), fault::too_few_frames);
  EXPECT_EQ(parse_broker_inbound(msg({"C1", "", "MDPX01", "echo"}), in), fault::unknown_protocol);
  EXPECT_EQ(parse_broker_inbound(msg({"C1", "", "MDPC01"}), in), fault::too_few_frames);
  EXPECT_EQ(parse_broker_inbound(msg({"C1", "", "MDPC01", ""}), in), fault::empty_service);
  EXPECT_EQ(parse_broker_inbound(msg({"W", "", "MDPW01"}), in), fault::too_few_frames);
  EXPECT_EQ(parse_broker_inbound(msg({"W", "", "MDPW01", "\x06"}), in), fault::unknown_command);
  EXPECT_EQ(parse_broker_inbound(msg({"W", "", "MDPW01", "\x01\x01"}), in), fault::unknown_command);
  EXPECT_EQ(parse_broker_inbound(msg({"W", "", "MDPW01", ready_byte}), in), fault::too_few_frames);
  EXPECT_EQ(parse_broker_inbound(msg({"W", "", "MDPW01", ready_byte, ""}), in), fault::empty_service);
  EXPECT_EQ(parse_broker_inbound(msg({"W", "", "MDPW01", ready_byte, "s", "x"}), in),
            fault::unexpected_frames);
  EXPECT_EQ(parse_broker_inbound(msg({"W", "", "MDPW01", heartbeat_byte, "x"}), in),
            fault::unexpected_frames);
  EXPECT_EQ(parse_broker_inbound(msg({"W", "", "MDPW01", reply_byte, "", "body"}), in),
            fault::missing_address);
  EXPECT_EQ(parse_broker_inbound(msg({"W", "", "MDPW01", reply_byte, "C1", "body"}), in),
            fault::missing_delimiter);
  EXPECT_EQ(parse_broker_inbound(msg({"W", "", "MDPW01", request_byte, "C1", "", "b"}), in),
            fault::wrong_direction);
}

TEST(MdpCodec, WorkerRefusesWhatOnlyABrokerReceives) {
  worker_message w;
  EXPECT_EQ(parse_worker_inbound(msg({"", "MDPW01", ready_byte, "echo"}), w), fault::wrong_direction);
  EXPECT_EQ(parse_worker_inbound(msg({"", "MDPW01", reply_byte, "C", "", "b"}), w),
            fault::wrong_direction);
  EXPECT_EQ(parse_worker_inbound(msg({"x", "MDPW01", heartbeat_byte}), w), fault::missing_delimiter);
  EXPECT_EQ(parse_worker_inbound(msg({"", "MDPC01", heartbeat_byte}), w), fault::unknown_protocol);
  EXPECT_EQ(parse_worker_inbound(msg({"", "MDPW01"}), w), fault::too_few_frames);
}

TEST(MdpCodec, EveryFaultAndCommandHasAName) {
  for (int f = 0; f <= static_cast<int>(fault::unexpected_frames); ++f)
    EXPECT_STRNE(fault_text(static_cast<fault>(f)), "?");
  for (int c = 1; c <= 5; ++c)
    EXPECT_STRNE(command_name(static_cast<command>(c)), "?");
}

} // namespace
