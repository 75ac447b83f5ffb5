// Transport tests on the in-memory network with a manual clock (both endpoints on one loop),
// and one handshake and exchange over real UDP.
#include <sys/resource.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <tuple>

#include "quic/test_hooks.h"
#include "transport_fixture.h"

namespace qc::quic::testing {
namespace {

TEST_F(TransportTest, HandshakeOpensBothSidesWithQuicchatAlpn) {
  start_server();
  ConnHandle c = connect();
  ASSERT_TRUE(both_open(c));
  EXPECT_EQ(client_h.peers[c].alpn, "quicchat");
  EXPECT_EQ(server_h.peers[server_conn()].alpn, "quicchat");
  EXPECT_EQ(client_h.peers[c].address, "127.0.0.1:" + std::to_string(server->local_port()));
  EXPECT_FALSE(server_h.peers[server_conn()].scid.empty());
  EXPECT_EQ(server->stats().connections_open, 1u);
}

TEST_F(UdpTransportTest, HandshakeAndExchangeOverRealUdp) {
  ConnHandle c = 0, s = 0;
  std::tie(c, s) = open_chat("over udp");
  ASSERT_NE(s, 0u);
  EXPECT_EQ(client_h.peers[c].address, "127.0.0.1:" + std::to_string(server->local_port()));
  ASSERT_TRUE(server_send(s, "and back"));
  ASSERT_TRUE(run_until([&] { return client_h.received[c] == "and back"; }));
  EXPECT_GT(server->stats().datagrams_received, 0u);
  EXPECT_GT(client->stats().send_syscalls, 0u);
}

TEST_F(TransportTest, ClientOfferingOnlyEchoProtocolNegotiatesIt) {
  start_server();
  ClientOptions o = client_options();
  o.alpns = {"echo-protocol"};
  ConnHandle c = connect(o);
  ASSERT_TRUE(both_open(c));
  EXPECT_EQ(client_h.peers[c].alpn, "echo-protocol");
  EXPECT_EQ(server_h.peers[server_conn()].alpn, "echo-protocol");
}

TEST_F(TransportTest, NoCommonAlpnFailsTheHandshake) {
  start_server();
  ClientOptions o = client_options();
  o.alpns = {"bogus"};
  ConnHandle c = connect(o);
  ASSERT_TRUE(run_until([&] { return client_h.closed.contains(c); }));
  EXPECT_EQ(client_h.closed[c].kind, CloseKind::HandshakeFailed) << client_h.closed[c].reason;
  EXPECT_TRUE(client_h.opened.empty());
  EXPECT_TRUE(server_h.opened.empty());
}

TEST_F(TransportTest, WrongCaFailsWithCertificateReason) {
  start_server();
  ClientOptions o = client_options();
  o.ca_file = data_path("certs-other/quic_certificate.pem");
  ConnHandle c = connect(o);
  ASSERT_TRUE(run_until([&] { return client_h.closed.contains(c); }));
  EXPECT_EQ(client_h.closed[c].kind, CloseKind::HandshakeFailed);
  EXPECT_NE(client_h.closed[c].reason.find("certificate verification failed"), std::string::npos)
      << client_h.closed[c].reason;
  EXPECT_NE(client_h.closed[c].reason.find("signer not found"), std::string::npos)
      << client_h.closed[c].reason;
  EXPECT_TRUE(client_h.opened.empty());
}

TEST_F(TransportTest, IpLiteralHostIsVerifiedAgainstTheIpSan) {
  start_server();
  ClientOptions o = client_options();
  o.host = "127.0.0.1";
  ConnHandle c = connect(o);
  ASSERT_TRUE(both_open(c));
}

TEST_F(TransportTest, WrongServerNameFailsVerification) {
  start_server();
  ClientOptions o = client_options();
  o.sni = "chat.example.com";
  ConnHandle c = connect(o);
  ASSERT_TRUE(run_until([&] { return client_h.closed.contains(c); }));
  EXPECT_EQ(client_h.closed[c].kind, CloseKind::HandshakeFailed);
  EXPECT_NE(client_h.closed[c].reason.find("name does not match"), std::string::npos)
      << client_h.closed[c].reason;
}

TEST_F(TransportTest, MissingCertificateOrCaFileIsAClearError) {
  ServerOptions so = server_options();
  so.cert_file = data_path("certs/no-such-cert.pem");
  auto s = ServerEndpoint::start(*loop, so, server_h);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("no-such-cert.pem"), std::string::npos) << s.error().message;

  start_server();
  ClientOptions o = client_options();
  o.ca_file = data_path("certs/no-such-ca.pem");
  auto c = client->connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("no-such-ca.pem"), std::string::npos) << c.error().message;
}

TEST_F(TransportTest, LargeAndManySmallPdusArriveInOrderBothWays) {
  start_server();
  ConnHandle c = connect();
  ASSERT_TRUE(both_open(c));
  std::string big(60 * 1024, 'x');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  std::string expected = big;
  ASSERT_TRUE(client->send(c, bytes(big)));
  for (int i = 0; i < 10'000; ++i) {
    std::string pdu = "msg-" + std::to_string(i) + ";";
    expected += pdu;
    ASSERT_TRUE(client->send(c, bytes(pdu)));
  }
  ASSERT_TRUE(
      run_until([&] { return server_h.received[server_conn()].size() >= expected.size(); }));
  EXPECT_EQ(server_h.received[server_conn()], expected);

  ConnHandle s = server_conn();
  ASSERT_TRUE(server_send(s, big));
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(server_send(s, "msg-" + std::to_string(i) + ";"));
  ASSERT_TRUE(run_until([&] { return client_h.received[c].size() >= expected.size(); }));
  EXPECT_EQ(client_h.received[c], expected);
  ASSERT_TRUE(run_until([&] { return server_queued(s) == 0; }));
}

TEST_F(TransportTest, IdleTimeoutClosesBothSides) {
  start_server();  // the default 120 s idle timeout, on the manual clock
  ConnHandle c = connect();
  ASSERT_TRUE(both_open(c));
  ConnHandle s = server_conn();
  auto opened_at = elapsed();
  ASSERT_TRUE(
      run_until([&] { return client_h.closed.contains(c) && server_h.closed.contains(s); }));
  EXPECT_EQ(client_h.closed[c].kind, CloseKind::IdleTimeout);
  EXPECT_EQ(server_h.closed[s].kind, CloseKind::IdleTimeout);
  EXPECT_GE(elapsed() - opened_at, std::chrono::seconds(120));
  EXPECT_LT(elapsed() - opened_at, std::chrono::seconds(125));
}

TEST_F(TransportTest, GracefulCloseDeliversCodeAndReasonToThePeer) {
  start_server();
  ConnHandle c = connect();
  ASSERT_TRUE(both_open(c));
  // The server learns of the chat stream from the client's first bytes on it.
  ASSERT_TRUE(client->send(c, bytes("hi")));
  ASSERT_TRUE(run_until([&] { return server_h.received[server_conn()] == "hi"; }));
  ConnHandle s = server_conn();
  ASSERT_TRUE(server_send(s, "last words"));
  server->close(s, 4, "server shutting down");
  EXPECT_FALSE(server_send(s, "too late"));
  ASSERT_TRUE(
      run_until([&] { return client_h.closed.contains(c) && server_h.closed.contains(s); }));
  EXPECT_EQ(client_h.received[c], "last words");
  EXPECT_EQ(client_h.closed[c].kind, CloseKind::Peer);
  EXPECT_EQ(client_h.closed[c].app_error_code, 4u);
  EXPECT_EQ(client_h.closed[c].reason, "server shutting down");
  EXPECT_EQ(server_h.closed[s].kind, CloseKind::Local);
  EXPECT_EQ(server_h.close_calls[s], 1);
  EXPECT_EQ(client_h.close_calls[c], 1);
}

TEST_F(TransportTest, OverlongCloseReasonIsTruncatedNotLost) {
  start_server();
  ConnHandle c = connect();
  ASSERT_TRUE(both_open(c));
  std::string reason(5000, 'r');
  client->close(c, 7, reason);
  ConnHandle s = server_conn();
  ASSERT_TRUE(run_until([&] { return server_h.closed.contains(s); }));
  EXPECT_EQ(server_h.closed[s].kind, CloseKind::Peer);
  EXPECT_EQ(server_h.closed[s].app_error_code, 7u);
  EXPECT_EQ(server_h.closed[s].reason, reason.substr(0, 1024));
}

TEST_F(TransportTest, ClientCloseReachesServer) {
  start_server();
  ConnHandle c = connect();
  ASSERT_TRUE(both_open(c));
  ConnHandle s = server_conn();
  client->close(c, 0, "bye");
  ASSERT_TRUE(
      run_until([&] { return server_h.closed.contains(s) && client_h.closed.contains(c); }));
  EXPECT_EQ(server_h.closed[s].kind, CloseKind::Peer);
  EXPECT_EQ(server_h.closed[s].reason, "bye");
  EXPECT_EQ(client_h.closed[c].kind, CloseKind::Local);
  ASSERT_TRUE(run_until([&] { return server->stats().connections_open == 0; }));
}

TEST_F(TransportTest, NoServerMeansHandshakeTimeout) {
  start_server();
  ClientOptions o = client_options();
  o.port = 9;  // nobody bound there: the Initials go nowhere
  ConnHandle c = connect(o);
  ASSERT_TRUE(run_until([&] { return client_h.closed.contains(c); }));
  EXPECT_EQ(client_h.closed[c].kind, CloseKind::HandshakeTimeout);
  EXPECT_GE(elapsed(), std::chrono::seconds(10));  // the default handshake timeout
  EXPECT_GT(net->undeliverable(), 0u);
}

TEST_F(TransportTest, CloseAllClosesEveryConnection) {
  start_server();
  ConnHandle a = connect();
  ConnHandle b = connect();
  ASSERT_TRUE(
      run_until([&] { return server_h.opened.size() == 2 && client_h.opened.size() == 2; }));
  server->close_all(4, "server shutdown");
  ASSERT_TRUE(
      run_until([&] { return client_h.closed.size() == 2 && server_h.closed.size() == 2; }));
  for (ConnHandle h : {a, b}) {
    EXPECT_EQ(client_h.closed[h].kind, CloseKind::Peer);
    EXPECT_EQ(client_h.closed[h].reason, "server shutdown");
  }
}

TEST_F(TransportTest, RetryAlwaysStillConnects) {
  ServerOptions so = server_options();
  so.retry = RetryMode::Always;
  start_server(so);
  ConnHandle c = connect();
  ASSERT_TRUE(both_open(c));
  ASSERT_TRUE(client->send(c, bytes("after retry")));
  ASSERT_TRUE(run_until([&] { return server_h.received[server_conn()] == "after retry"; }));
}

TEST_F(TransportTest, ConnectionLimitRefusesWithReason) {
  ServerOptions so = server_options();
  so.max_connections = 1;
  start_server(so);
  ConnHandle first = connect();
  ASSERT_TRUE(both_open(first));
  ConnHandle second = connect();
  ASSERT_TRUE(run_until([&] { return client_h.closed.contains(second); }));
  EXPECT_EQ(client_h.closed[second].app_error_code, 5u);
  EXPECT_EQ(client_h.closed[second].reason, "server at connection limit");
  EXPECT_FALSE(client_h.closed.contains(first));
}

TEST_F(TransportTest, PerAddressLimitRefusesWithReason) {
  ServerOptions so = server_options();
  so.max_connections_per_ip = 1;
  start_server(so);
  ConnHandle first = connect();
  ASSERT_TRUE(both_open(first));
  ConnHandle second = connect();
  ASSERT_TRUE(run_until([&] { return client_h.closed.contains(second); }));
  EXPECT_EQ(client_h.closed[second].reason, "too many connections from your address");
}

// The key log holds the session secrets: it is created readable by its owner only, whatever the
// umask.
TEST_F(TransportTest, KeyLogFileGetsNssLines) {
  start_server();
  std::string path = ::testing::TempDir() + "quic_keylog_test.txt";
  std::remove(path.c_str());
  ClientOptions o = client_options();
  o.keylog_file = path;
  const mode_t old_mask = ::umask(022);
  ConnHandle c = connect(o);
  ::umask(old_mask);
  ASSERT_TRUE(both_open(c));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  for (const char* label : {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                            "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"}) {
    EXPECT_NE(text.str().find(std::string(label) + " "), std::string::npos) << label;
  }
  std::remove(path.c_str());
}

TEST_F(TransportTest, StreamEndIsReportedAfterTheLastData) {
  start_server();
  ConnHandle c = connect();
  ASSERT_TRUE(both_open(c));
  ASSERT_TRUE(client->send(c, bytes("{\"half\":")));
  ASSERT_TRUE(test_finish_stream(*client, c));
  EXPECT_FALSE(client->send(c, bytes("more"))) << "nothing can follow the FIN";
  ASSERT_TRUE(run_until([&] { return server_h.received_at_end.count(server_conn()) == 1; }));
  EXPECT_EQ(server_h.received_at_end[server_conn()], "{\"half\":");
  EXPECT_EQ(server_h.closed.count(server_conn()), 0u) << "the connection stays open";
}

TEST_F(TransportTest, ClientCannotOpenASecondStream) {
  start_server();
  ConnHandle c = connect();
  ASSERT_TRUE(both_open(c));
  EXPECT_NE(test_open_extra_stream(*client, c), 0);
}

TEST_F(TransportTest, EchoProtocolPutsEachPduInItsOwnPacket) {
  ConnHandle c = open_echo_protocol();
  ASSERT_NE(c, 0u);
  ASSERT_TRUE(client->send(c, bytes("hello")));
  ASSERT_TRUE(run_until([&] { return server_h.received[server_conn()] == "hello"; }));
  ConnHandle s = server_conn();
  std::uint64_t sent_before = server->stats().datagrams_sent;
  for (const char* pdu : {"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}) ASSERT_TRUE(server_send(s, pdu));
  ASSERT_TRUE(run_until([&] { return client_h.received[c].size() == 21; }));
  EXPECT_GE(server->stats().datagrams_sent - sent_before, 3u);
  ASSERT_EQ(client_h.chunks[c].size(), 3u);
  EXPECT_EQ(client_h.chunks[c][0], "{\"a\":1}");
  EXPECT_EQ(client_h.chunks[c][2], "{\"c\":3}");
}

// Issue 15 item 8: the chat core keeps PDUs for a one-PDU-per-packet peer within this limit. A
// PDU of exactly the limit leaves in one packet even when the server owes the client ACKs (the
// client's 20 PDUs before), so each arrives as one on_data call holding exactly that PDU.
TEST_F(TransportTest, EchoProtocolPeersLearnTheLargestPduThatFitsOnePacket) {
  ConnHandle c = open_echo_protocol();
  ASSERT_NE(c, 0u);
  ConnHandle s = server_conn();
  ASSERT_EQ(server_h.peers[s].max_pdu_in_one_packet, std::optional<std::size_t>(1040));
  std::string sent;
  for (int i = 0; i < 20; ++i) {
    const std::string pdu = "{\"n\":" + std::to_string(i) + "}";
    sent += pdu;
    ASSERT_TRUE(client->send(c, bytes(pdu)));
  }
  ASSERT_TRUE(run_until([&] { return server_h.received[s] == sent; }));
  const std::string a = "{\"a\":\"" + std::string(1040 - 8, 'a') + "\"}";
  const std::string b = "{\"b\":\"" + std::string(1040 - 8, 'b') + "\"}";
  ASSERT_EQ(a.size(), 1040u);
  ASSERT_TRUE(server_send(s, a));
  ASSERT_TRUE(server_send(s, b));
  ASSERT_TRUE(run_until([&] { return client_h.received[c].size() == 2080; }));
  ASSERT_EQ(client_h.chunks[c].size(), 2u);
  EXPECT_EQ(client_h.chunks[c][0], a);
  EXPECT_EQ(client_h.chunks[c][1], b);
  // Past one packet a PDU is split, which is what the limit is for.
  ASSERT_TRUE(server_send(s, std::string(1400, 'c')));
  ASSERT_TRUE(run_until([&] { return client_h.received[c].size() == 2080 + 1400; }));
  EXPECT_GT(client_h.chunks[c].size(), 3u);
}

TEST_F(TransportTest, QuicchatPeersTakePdusOfAnySize) {
  ConnHandle c = 0, s = 0;
  std::tie(c, s) = open_chat();
  ASSERT_NE(s, 0u);
  EXPECT_FALSE(server_h.peers[s].max_pdu_in_one_packet.has_value());
  EXPECT_FALSE(client_h.peers[c].max_pdu_in_one_packet.has_value());
}

TEST_F(TransportTest, QuicchatCoalescesPdusOfOneBatch) {
  ConnHandle c = 0, s = 0;
  std::tie(c, s) = open_chat();
  ASSERT_NE(s, 0u);
  std::uint64_t sent_before = server->stats().datagrams_sent;
  for (const char* pdu : {"one", "two", "three"}) ASSERT_TRUE(server_send(s, pdu));
  ASSERT_TRUE(run_until([&] { return client_h.received[c] == "onetwothree"; }));
  EXPECT_LT(server->stats().datagrams_sent - sent_before, 3u);
}

// Issue 17: ngtcp2 delays an ACK by srtt / 8, 5 us at this 40 us round trip. Armed for that, the
// expiry timer sent an ACK-only packet for every message of a one-at-a-time exchange; its
// timer now waits 1 ms, so each ACK waits for the next packet read (about one per two messages).
TEST_F(TransportTest, DelayedAcksWaitForTheNextPacketNotAMicrosecondTimer) {
  net->set_delay(std::chrono::microseconds(20));
  ConnHandle c = 0, s = 0;
  std::tie(c, s) = open_chat();
  ASSERT_NE(s, 0u);
  run_for(std::chrono::milliseconds(50));  // the handshake's and the hello's ACKs are done
  constexpr int kMessages = 20;
  const std::uint64_t sent_before = server->stats().datagrams_sent;
  std::string expected = "hello";
  for (int i = 0; i < kMessages; ++i) {
    const std::string pdu = "m" + std::to_string(i);
    expected += pdu;
    ASSERT_TRUE(client->send(c, bytes(pdu)));
    ASSERT_TRUE(run_until([&] { return server_h.received[s] == expected; }));
    run_for(std::chrono::microseconds(100));  // the next message comes 100 us later
  }
  const std::uint64_t acks = server->stats().datagrams_sent - sent_before;
  EXPECT_LE(acks, kMessages * 3 / 4) << "ACK-only packets for " << kMessages << " messages";
  EXPECT_GE(acks, 1u);
}

// Small PDUs queued together are copied into blocks (past one block's size here), a PDU alone
// stays shared, and large or replaceable PDUs in between keep their place in the stream.
TEST_F(TransportTest, SmallPdusAroundLargeAndReplaceableOnesKeepStreamOrder) {
  ConnHandle c = 0, s = 0;
  std::tie(c, s) = open_chat();
  ASSERT_NE(s, 0u);
  std::string expected;
  auto send = [&](const std::string& pdu, bool replaceable = false) {
    expected += pdu;
    ASSERT_TRUE(server_send(s, pdu, replaceable));
  };
  send("<a>");
  ASSERT_TRUE(run_until([&] { return client_h.received[c] == expected; }));
  send("<b>");
  send(std::string(3000, 'L'));
  send("<c>");
  send("[list]", true);
  for (int i = 0; i < 200; ++i) send("<" + std::to_string(i) + std::string(100, '.') + ">");
  ASSERT_TRUE(run_until([&] { return client_h.received[c].size() >= expected.size(); }));
  EXPECT_EQ(client_h.received[c], expected);
  ASSERT_TRUE(run_until([&] { return server_queued(s) == 0; }));
}

TEST_F(TransportTest, UnsentReplaceablePduIsSupersededInPlace) {
  ConnHandle c = 0, s = 0;
  std::tie(c, s) = open_chat();
  ASSERT_NE(s, 0u);
  // All queued in one batch, before any flush: "list-1" is still unsent when "list-two" comes.
  ASSERT_TRUE(server_send(s, "[list-1]", true));
  ASSERT_TRUE(server_send(s, "(msg)"));
  ASSERT_TRUE(server_send(s, "[list-two]", true));
  ASSERT_TRUE(server_send(s, "(end)"));
  ASSERT_TRUE(run_until([&] { return client_h.received[c].find("(end)") != std::string::npos; }));
  EXPECT_EQ(client_h.received[c], "[list-two](msg)(end)");
}

TEST_F(TransportTest, ReplaceablePduAlreadyWrittenIsNotTouched) {
  ConnHandle c = 0, s = 0;
  std::tie(c, s) = open_chat();
  ASSERT_NE(s, 0u);
  ASSERT_TRUE(server_send(s, "[list-1]", true));
  ASSERT_TRUE(run_until([&] { return client_h.received[c] == "[list-1]"; }));
  ASSERT_TRUE(server_send(s, "[list-2]", true));
  ASSERT_TRUE(server_send(s, "[list-3]", true));
  ASSERT_TRUE(run_until([&] { return client_h.received[c].size() >= 16; }));
  EXPECT_EQ(client_h.received[c], "[list-1][list-3]");
  EXPECT_LE(server_queued(s), 16u);
}

// Issue 15 item 6: the server asks whether a quiet peer is still there.
TEST_F(TransportTest, ProbeOfAQuietLivePeerIsAnsweredOnce) {
  auto [c, s] = open_chat();
  ASSERT_NE(s, 0u);
  run_for(std::chrono::seconds(5));  // quiet: nothing left to send either way
  ASSERT_TRUE(server_h.probes_answered.empty());
  const auto probed_at = elapsed();
  ASSERT_TRUE(server->probe(s));
  ASSERT_TRUE(run_until([&] { return server_h.probes_answered[s] == 1; }));
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(elapsed() - probed_at);
  std::printf("probe answered after %lld us of loop time (1 ms one-way delay)\n",
              static_cast<long long>(took.count()));
  EXPECT_LT(took, std::chrono::milliseconds(100));
  run_for(std::chrono::seconds(5));
  EXPECT_EQ(server_h.probes_answered[s], 1);  // one answer per probe
  EXPECT_FALSE(server_h.closed.contains(s));
}

TEST_F(TransportTest, ProbeOfAPeerThatIsGoneIsNotAnswered) {
  auto [c, s] = open_chat();
  ASSERT_NE(s, 0u);
  run_for(std::chrono::seconds(5));
  net->set_loss(1.0);  // the client crashed: nothing comes back
  const auto sent_before = net->sent();
  ASSERT_TRUE(server->probe(s));
  run_for(std::chrono::seconds(2));
  EXPECT_TRUE(server_h.probes_answered.empty());
  std::printf("unanswered probe: %llu datagrams in 2 s\n",
              static_cast<unsigned long long>(net->sent() - sent_before));
  EXPECT_GE(net->sent() - sent_before, 15u);  // a PING every 100 ms (a lost one is not resent)
  run_for(std::chrono::seconds(5));
  EXPECT_LE(net->sent() - sent_before, 30u);  // 30 in all: then the keep-alive timer is off
  EXPECT_FALSE(server->probe(12345));         // unknown connection
}

TEST_F(TransportTest, ProbeOutlastsALostPing) {
  auto [c, s] = open_chat();
  ASSERT_NE(s, 0u);
  run_for(std::chrono::seconds(5));
  net->set_loss(1.0);
  ASSERT_TRUE(server->probe(s));
  run_for(std::chrono::milliseconds(50));  // the first PING is lost
  net->set_loss(0.0);
  const auto lost_at = elapsed();
  ASSERT_TRUE(run_until([&] { return server_h.probes_answered[s] == 1; }));
  EXPECT_LT(elapsed() - lost_at, std::chrono::milliseconds(200));
}

}  // namespace
}  // namespace qc::quic::testing
