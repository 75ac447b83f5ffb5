// Reloading a running server (SIGHUP and `quicchat admin reload`): the config file and the
// certificate are read again; a session logged in before goes on, new handshakes get the new
// certificate, a changed live option takes effect and a changed restart option is named, and a
// broken config or certificate is refused with the old ones kept in force.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/peer.h"
#include "support/server_process.h"

namespace qc::itest {
namespace {

using proto::MsgType;
namespace fs = std::filesystem;

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

// A folder of its own for the config file and the CA copies (the server's holds its certs).
std::string make_dir() {
  std::string tmpl = (fs::temp_directory_path() / "quicchat-reload-XXXXXX").string();
  return mkdtemp(tmpl.data()) ? tmpl : std::string();
}

// alice broadcasts `text`, then a marker: true when `text` reached bob before the marker. Both
// are read up to the marker (a broadcast reaches its sender too), so the next call starts afresh.
bool broadcast_arrives(Peer& alice, Peer& bob, const std::string& text) {
  alice.send(MsgType::Broadcast, proto::encode_broadcast({text}));
  alice.send(MsgType::Broadcast, proto::encode_broadcast({"marker"}));
  bool arrived = false;
  for (Peer* reader : {&bob, &alice}) {
    while (auto pdu = reader->next(5s)) {
      if (pdu->type != MsgType::Broadcast) continue;
      if (pdu->msg.find("marker") != std::string::npos) break;
      if (reader == &bob && pdu->msg.find(text) != std::string::npos) arrived = true;
    }
  }
  return arrived;
}

class Reload : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_dir();
    ASSERT_FALSE(dir_.empty());
    config_ = dir_ + "/server.toml";
    socket_ = dir_ + "/admin.sock";
    write_text(config_, "max-text-bytes = 1000\nretention-days = 7\n");
    ServerProcessOptions opts;
    opts.extra_args = {"--config", config_, "--admin-socket", socket_};
    server_ = std::make_unique<ServerProcess>(opts);
    ASSERT_TRUE(server_->started()) << server_->error();
    certs_ = server_->dir() + "/certs";
    fs::copy_file(server_->ca_file(), dir_ + "/old_ca.pem");
  }
  void TearDown() override {
    server_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Target with_ca(const std::string& ca) const { return {"127.0.0.1", server_->port(), ca}; }
  void hangup() const { ASSERT_EQ(::kill(server_->pid(), SIGHUP), 0); }
  // A new pair for the same paths, written as a renewal does (a rename over the old files).
  void renew_certificate() {
    auto made = run_quicchat({"certs", "--out", certs_, "--name", "localhost", "--name",
                              "renewed.example", "--ip", "127.0.0.1"});
    ASSERT_EQ(made.status, 0) << made.out;
    fs::copy_file(certs_ + "/quic_certificate.pem", dir_ + "/new_ca.pem");
  }

  // Both logged in (with the certificate served at start), before any reload.
  void log_in_alice_and_bob(Net& net, std::unique_ptr<Peer>& alice, std::unique_ptr<Peer>& bob) {
    alice = net.connect(with_ca(dir_ + "/old_ca.pem"));
    bob = net.connect(with_ca(dir_ + "/old_ca.pem"));
    ASSERT_TRUE(alice && bob);
    ASSERT_FALSE(alice->login("alice", "p1").empty());
    ASSERT_FALSE(bob->login("bob", "p2").empty());
    ASSERT_TRUE(alice->expect(MsgType::LoginBroadcast));
  }

  std::string dir_, config_, socket_, certs_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(Reload, SighupServesTheNewCertificateAppliesLiveOptionsAndKeepsSessions) {
  EXPECT_TRUE(server_->wait_for_log("names=DNS:localhost,IP:127.0.0.1,IP:::1 not_after=", 5s))
      << server_->log();
  Net net;
  std::unique_ptr<Peer> alice, bob;
  ASSERT_NO_FATAL_FAILURE(log_in_alice_and_bob(net, alice, bob));
  ASSERT_TRUE(broadcast_arrives(*alice, *bob, "a text of twenty-six bytes"));

  renew_certificate();
  write_text(config_, "max-text-bytes = 10\nretention-days = 30\n");
  hangup();
  ASSERT_TRUE(server_->wait_for_log(
      "INFO reload applied=max-text-bytes needs_restart=retention-days", 10s))
      << server_->log();
  EXPECT_TRUE(server_->wait_for_log("names=DNS:localhost,DNS:renewed.example,IP:127.0.0.1", 5s))
      << server_->log();

  // The session from before goes on, under the new limit.
  EXPECT_TRUE(broadcast_arrives(*alice, *bob, "short"));
  EXPECT_FALSE(broadcast_arrives(*alice, *bob, "a text of twenty-six bytes"));

  // New handshakes get the new certificate: the old CA no longer verifies it.
  std::string error;
  EXPECT_FALSE(net.connect(with_ca(dir_ + "/old_ca.pem"), &error));
  EXPECT_NE(error.find("certificate verification failed"), std::string::npos) << error;
  auto cam = net.connect(with_ca(dir_ + "/new_ca.pem"), &error);
  ASSERT_TRUE(cam) << error;
  EXPECT_FALSE(cam->login("cam", "p3").empty());
}

TEST_F(Reload, ABrokenConfigOrCertificateIsRefusedAndTheOldOnesStay) {
  Net net;
  std::unique_ptr<Peer> alice, bob;
  ASSERT_NO_FATAL_FAILURE(log_in_alice_and_bob(net, alice, bob));

  // A config that does not parse, with a limit in it that must not be applied.
  write_text(config_, "max-text-bytes = 10\nretention-days = [\n");
  hangup();
  ASSERT_TRUE(server_->wait_for_log("WARN reload_refused", 10s)) << server_->log();
  EXPECT_NE(server_->log().find("reload_refused why=\"" + config_ + ":"), std::string::npos)
      << server_->log();
  EXPECT_TRUE(broadcast_arrives(*alice, *bob, "a text of twenty-six bytes"));

  // A value out of its range: refused too, through the admin socket, which says why.
  write_text(config_, "max-text-bytes = 0\n");
  auto out_of_range = run_quicchat({"admin", "--socket", socket_, "reload"});
  EXPECT_EQ(out_of_range.status, 1) << out_of_range.out;
  EXPECT_NE(out_of_range.out.find("reload refused"), std::string::npos) << out_of_range.out;
  EXPECT_NE(out_of_range.out.find(config_ + ":1: max-text-bytes must be"), std::string::npos)
      << out_of_range.out;

  // A key that does not belong to the certificate: refused, the old pair still served.
  write_text(config_, "max-text-bytes = 10\n");
  auto other = run_quicchat({"certs", "--out", dir_ + "/other"});
  ASSERT_EQ(other.status, 0) << other.out;
  fs::copy_file(dir_ + "/other/quic_private_key.pem", certs_ + "/quic_private_key.pem",
                fs::copy_options::overwrite_existing);
  auto mismatched = run_quicchat({"admin", "--socket", socket_, "reload"});
  EXPECT_EQ(mismatched.status, 1) << mismatched.out;
  EXPECT_NE(mismatched.out.find("cannot load certificate"), std::string::npos) << mismatched.out;
  EXPECT_TRUE(server_->wait_for_log_count("WARN reload_refused", 3, 5s)) << server_->log();
  EXPECT_TRUE(broadcast_arrives(*alice, *bob, "a text of twenty-six bytes"));
  std::string error;
  auto cam = net.connect(with_ca(dir_ + "/old_ca.pem"), &error);
  ASSERT_TRUE(cam) << error;

  // An unreadable certificate file: the same.
  write_text(certs_ + "/quic_certificate.pem", "not a certificate\n");
  hangup();
  EXPECT_TRUE(server_->wait_for_log_count("WARN reload_refused", 4, 10s)) << server_->log();
  auto dan = net.connect(with_ca(dir_ + "/old_ca.pem"), &error);
  EXPECT_TRUE(dan) << error;

  // Put right again, `admin reload` applies it and says what it did.
  renew_certificate();
  auto fixed = run_quicchat({"admin", "--socket", socket_, "reload"});
  EXPECT_EQ(fixed.status, 0) << fixed.out;
  EXPECT_NE(fixed.out.find("applied=max-text-bytes needs_restart=none"), std::string::npos)
      << fixed.out;
  EXPECT_FALSE(broadcast_arrives(*alice, *bob, "a text of twenty-six bytes"));
}

TEST(ReloadLog, ACertificateNearItsEndIsWarnedAboutAtStart) {
  ServerProcess server;
  ASSERT_TRUE(server.started()) << server.error();
  EXPECT_EQ(server.log().find("certificate_expires_soon"), std::string::npos) << server.log();
  auto made = run_quicchat({"certs", "--out", server.dir() + "/certs", "--days", "3"});
  ASSERT_EQ(made.status, 0) << made.out;
  ASSERT_TRUE(server.restart_after_kill()) << server.log();
  const std::string log = server.log();
  EXPECT_NE(log.find("WARN certificate_expires_soon days="), std::string::npos) << log;
  EXPECT_TRUE(log.find("days=2 ") != std::string::npos || log.find("days=3 ") != std::string::npos)
      << log;
}

}  // namespace
}  // namespace qc::itest
