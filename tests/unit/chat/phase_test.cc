// The server session's machine: every (phase, inbound PDU) pair driven through the core does
// what the inbound table says, and docs/PROTOCOL.md section 6 shows the tables the code has.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "chat/session_phase.h"
#include "harness.h"

namespace qc::chat::testing {
namespace {

constexpr std::size_t kMaxBytes = 200;

struct Input {
  Inbound in;
  std::string name;  // as docs/PROTOCOL.md names it
  std::string bytes;
};

std::vector<Input> all_inputs() {
  std::vector<Input> inputs;
  for (MsgType type : proto::kAllMsgTypes) {
    std::string bytes;
    switch (type) {
      case MsgType::Versions:
        bytes = versions_pdu({1});
        break;
      case MsgType::Login:
        bytes = login_pdu("bob", "pw");
        break;
      case MsgType::Alive:
        bytes = alive_pdu();
        break;
      case MsgType::OneToOne:
        bytes = one_to_one_pdu("1", "hi");
        break;
      case MsgType::OneToMany:
        bytes = one_to_many_pdu("1", "hi");
        break;
      case MsgType::Broadcast:
        bytes = broadcast_pdu("hi");
        break;
      case MsgType::Logout:
        bytes = logout_pdu();
        break;
      default:  // types only servers send
        bytes = pdu(type, "[]");
    }
    inputs.push_back({{InboundKind::Pdu, type}, std::string(proto::msg_type_name(type)), bytes});
  }
  inputs.push_back({{InboundKind::Undecodable}, "undecodable", "{not json}"});
  inputs.push_back({{InboundKind::TooLarge}, "too large", broadcast_pdu(std::string(300, 'x'))});
  return inputs;
}

// Opens connection 1 and brings it into `phase` (alice is user 1 when logged in). In
// LOGIN_PROBING alice is logged in on connection 2 and connection 1 probes it.
void enter(Harness& h, Phase phase) {
  if (phase == Phase::LoginProbing) {
    h.join(2, "alice");
    h.open(1);
    h.attempt(1, "alice", true);
    return;
  }
  h.open(1);
  if (phase == Phase::LoginPending) h.feed(1, login_pdu("alice", "pw"));
  if (phase == Phase::Authenticated || phase == Phase::Closing) h.attempt(1, "alice", true);
  if (phase == Phase::Closing) h.feed(1, logout_pdu());
  if (phase != Phase::LoginPending) h.drain();
}

// What routing each client-sent type does for alice (user 1) on connection 1.
Lines routed(MsgType type) {
  switch (type) {
    case MsgType::Versions:
      return {"1 VERSIONS selected 1"};
    case MsgType::Login:
      return {"1 VERIFY bob/pw"};
    case MsgType::Alive:
      return {};
    case MsgType::OneToOne:
      return {"1 ONE_TO_ONE alice(1): hi"};
    case MsgType::OneToMany:
      return {"1 ONE_TO_MANY alice(1): hi"};
    case MsgType::Broadcast:
      return {"1 BROADCAST alice(1): hi"};
    case MsgType::Logout:
      return {"1 LOGOUT_ACK Logout successful", "1 CLOSE 0 logout"};
    default:
      return {"<not routable>"};
  }
}

Lines answer(Verdict v, const Input& input) {
  switch (v) {
    case Verdict::Route:
      return routed(input.in.type);
    case Verdict::NotAuthenticated:
      return {"1 MSG_UNSUCCESSFUL User not authenticated"};
    case Verdict::AlreadyLoggedIn:
      return {"1 MSG_UNSUCCESSFUL Already logged in"};
    case Verdict::Malformed:
      return {input.in.kind == InboundKind::Pdu
                  ? "1 MSG_UNSUCCESSFUL Malformed data received: unexpected message type " +
                        input.name
                  : "1 MSG_UNSUCCESSFUL Malformed data received: <detail>"};
    case Verdict::TooLarge:
      return {"1 MSG_UNSUCCESSFUL PDU too large: limit is 200 bytes"};
    case Verdict::RejectLogin:
      return {"1 LOGIN_UNSUCCESSFUL_DISCONNECT Malformed data received",
              "1 CLOSE 2 malformed data"};
    case Verdict::Queue:
    case Verdict::Ignore:
      return {};
    case Verdict::UnknownType:  // v2 frames only
      break;
  }
  return {"<unknown verdict>"};
}

// A decode error's detail depends on the input; the test only checks that there is one.
Lines without_detail(Lines lines) {
  const std::string prefix = "1 MSG_UNSUCCESSFUL Malformed data received: ";
  for (std::string& line : lines) {
    if (line.starts_with(prefix) && line.find("unexpected message type") == std::string::npos)
      line = prefix + "<detail>";
  }
  return lines;
}

TEST(SessionPhase, EveryPhaseAndInboundPairDoesWhatTheTableSays) {
  for (Phase phase : kAllPhases) {
    for (const Input& input : all_inputs()) {
      SCOPED_TRACE(std::string(phase_name(phase)) + " x " + input.name);
      CoreConfig config;
      config.limits.max_bytes = kMaxBytes;
      Harness h(config);
      enter(h, phase);
      const std::uint64_t ticket = h.last_ticket();
      h.drain();
      const Verdict v = verdict(phase, input.in);
      h.feed(1, input.bytes);
      EXPECT_EQ(without_detail(h.drain()), answer(v, input)) << verdict_name(v);
      if (v != Verdict::Queue) continue;
      // Queued: the password check's (or probe's) answer releases it, to be judged in the phase
      // it finds.
      Lines expected;
      if (phase == Phase::LoginProbing) {
        h.core.probe_answered(2, h.now);
        expected = {"1 LOGIN_UNSUCCESSFUL_RETRY User already logged in. Attempts left: 2"};
      } else {
        h.core.password_checked(1, ticket, PasswordCheck::WrongPassword, h.now);
        expected = {"1 LOGIN_UNSUCCESSFUL_RETRY Invalid credentials. Attempts left: 2"};
      }
      for (std::string& line : answer(verdict(Phase::Connected, input.in), input))
        expected.push_back(line);
      EXPECT_EQ(without_detail(h.drain()), expected);
    }
  }
}

TEST(SessionPhase, TransitionsFollowTheTable) {
  SessionPhase p;
  EXPECT_EQ(p.phase(), Phase::Connected);
  EXPECT_FALSE(p.login_succeeded(7)) << "no login without a password check";
  EXPECT_TRUE(p.start_check(3));
  EXPECT_EQ(p.ticket(), 3u);
  EXPECT_FALSE(p.start_check(4)) << "one check at a time";
  EXPECT_TRUE(p.login_failed());
  EXPECT_FALSE(p.start_probe(9, 1)) << "a probe follows a password check";
  EXPECT_TRUE(p.start_check(5));
  EXPECT_TRUE(p.start_probe(9, 1));
  EXPECT_EQ(p.probing().probed, 9u);
  EXPECT_FALSE(p.start_check(6)) << "nothing new while the probe runs";
  EXPECT_FALSE(p.start_probe(9, 1));
  EXPECT_TRUE(p.login_failed());
  EXPECT_TRUE(p.start_check(6));
  EXPECT_TRUE(p.start_probe(9, 1));
  EXPECT_TRUE(p.login_succeeded(7));
  EXPECT_EQ(p.user_id(), 7u);
  EXPECT_FALSE(p.login_failed());
  EXPECT_TRUE(p.close());
  EXPECT_FALSE(p.close()) << "closing happens once";
  EXPECT_EQ(p.phase(), Phase::Closing);
}

// --- docs/PROTOCOL.md shows the code's tables --------------------------------------------

std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::stringstream in(row.substr(1));
  std::string cell;
  while (std::getline(in, cell, '|')) {
    const auto b = cell.find_first_not_of(' ');
    const auto e = cell.find_last_not_of(' ');
    out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
  }
  return out;
}

// The rows (cells) of the markdown table whose header row is `header`.
std::vector<std::vector<std::string>> doc_table(const std::string& header) {
  std::ifstream doc(std::string(QC_DOCS_DIR) + "/PROTOCOL.md");
  EXPECT_TRUE(doc.good());
  std::vector<std::vector<std::string>> rows;
  std::string line;
  bool inside = false;
  while (std::getline(doc, line)) {
    if (line == header) {
      inside = true;
      std::getline(doc, line);  // |---|
      continue;
    }
    if (!inside) continue;
    if (!line.starts_with('|')) break;
    rows.push_back(cells(line));
  }
  return rows;
}

// Each row's verdicts (one per phase) under its first cell.
std::map<std::string, std::vector<std::string>> by_first_cell(
    const std::vector<std::vector<std::string>>& rows) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& row : rows) {
    EXPECT_EQ(row.size(), 6u) << row[0];
    out[row[0]] = {row.begin() + 1, row.end()};
  }
  return out;
}

TEST(SessionPhaseDoc, InboundTableMatchesTheCode) {
  const auto documented = by_first_cell(doc_table(
      "| inbound | CONNECTED | LOGIN_PENDING | LOGIN_PROBING | AUTHENTICATED | CLOSING |"));
  const std::vector<Input> inputs = all_inputs();
  EXPECT_EQ(documented.size(), inputs.size());
  for (const Input& input : inputs) {
    std::vector<std::string> expected;
    for (Phase phase : kAllPhases) expected.emplace_back(verdict_name(verdict(phase, input.in)));
    EXPECT_EQ(documented.at(input.name), expected) << input.name;
  }
}

TEST(SessionPhaseDoc, V2InboundTableMatchesTheCode) {
  const auto documented = by_first_cell(doc_table(
      "| v2 frame | CONNECTED | LOGIN_PENDING | LOGIN_PROBING | AUTHENTICATED | CLOSING |"));
  EXPECT_EQ(documented.size(), std::size(kAllFrameKinds));
  for (FrameKind kind : kAllFrameKinds) {
    std::vector<std::string> expected;
    for (Phase phase : kAllPhases) expected.emplace_back(verdict_name(verdict_v2(phase, kind)));
    EXPECT_EQ(documented.at(std::string(frame_kind_name(kind))), expected) << frame_kind_name(kind);
  }
}

TEST(SessionPhaseDoc, TransitionTableMatchesTheCode) {
  std::vector<std::vector<std::string>> expected;
  for (Phase from : kAllPhases) {
    for (PhaseEvent event : kAllPhaseEvents) {
      if (auto to = next_phase(from, event))
        expected.push_back({std::string(phase_name(from)), std::string(phase_event_name(event)),
                            std::string(phase_name(*to))});
    }
  }
  auto documented = doc_table("| phase | event | next phase |");
  std::sort(expected.begin(), expected.end());
  std::sort(documented.begin(), documented.end());
  EXPECT_EQ(documented, expected);
}

}  // namespace
}  // namespace qc::chat::testing
