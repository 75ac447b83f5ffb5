#include "client/format.h"

#include <gtest/gtest.h>

namespace qc::client {
namespace {

const proto::UserList kTwo = {{1, "alice"}, {2, "bob"}};
const proto::UserList kThree = {{1, "alice"}, {2, "bob"}, {3, "cam"}};

std::string line(const Event& e) {
  auto l = format_event(e);
  EXPECT_TRUE(l.has_value());
  return l.value_or("");
}

TEST(Format, SystemLines) {
  EXPECT_EQ(line(LoginOk{kTwo, 2}),
            "[Sys] Login successful. You are 2 (bob). Active users: 1 alice, 2 bob");
  EXPECT_EQ(line(UsersJoined{kThree}),
            "[Sys] Some user login. Active users: 1 alice, 2 bob, 3 cam");
  EXPECT_EQ(line(UsersLeft{kTwo}), "[Sys] Some user logout. Active users: 1 alice, 2 bob");
  EXPECT_EQ(line(LoggedOut{"Logout successful"}), "[Sys] Logout successful");
  EXPECT_EQ(line(UsersLeft{{}}), "[Sys] Some user logout. Active users: (none)");
}

TEST(Format, MessageLines) {
  EXPECT_EQ(line(Message{MessageKind::OneToOne, 1, "alice", "hi"}), "[1-1 Msg] alice: hi");
  EXPECT_EQ(line(Message{MessageKind::OneToMany, 2, "bob", "meet"}), "[1-n Msg] bob: meet");
  EXPECT_EQ(line(Message{MessageKind::Broadcast, 1, "alice", "hello"}), "[Broad Msg] alice: hello");
}

TEST(Format, ErrorLines) {
  EXPECT_EQ(line(ServerError{"Target user not available"}), "[Err] Target user not available");
  EXPECT_EQ(line(LoginRetry{"Invalid credentials. Attempts left: 2"}),
            "[Err] Invalid credentials. Attempts left: 2");
  EXPECT_EQ(line(LoginRejected{"Maximum login attempts exceeded."}),
            "[Err] Maximum login attempts exceeded.");
  EXPECT_EQ(line(VersionRejected{"No compatible version"}), "[Err] No compatible version");
  EXPECT_EQ(line(ProtocolViolation{"bad"}), "[Err] Protocol violation: bad");
  EXPECT_EQ(line(ConnectionClosed{false, 0, "idle_timeout", "idle timeout"}),
            "[Err] Connection lost: idle timeout");
  EXPECT_EQ(line(ConnectionClosed{false, 0, "peer", ""}), "[Err] Connection lost: peer");
  EXPECT_EQ(format_not_delivered("2: see you"),
            "[Err] Not delivered (connection lost): 2: see you");
}

TEST(Format, SilentEvents) {
  EXPECT_FALSE(format_event(Connected{"quicchat", "127.0.0.1:4433"}));
  EXPECT_FALSE(format_event(VersionSelected{1}));
  EXPECT_FALSE(format_event(PathChanged{"x"}));
  EXPECT_FALSE(format_event(ConnectionClosed{true, 0, "peer", "bye"}));
}

TEST(Format, WhoAndReconnected) {
  EXPECT_EQ(format_who(kTwo, 2), "[Sys] Active users: 1 alice, 2 bob (you are 2)");
  EXPECT_EQ(format_who(kTwo, std::nullopt), "[Sys] Active users: 1 alice, 2 bob");
  EXPECT_EQ(format_reconnected(4, "alice"), "[Sys] Reconnected. You are now 4 (alice).");
  EXPECT_EQ(std::string(kRebindLine), "[Sys] Moved to a new local port; session continues.");
}

TEST(Format, SanitizeStripsControlCharacters) {
  EXPECT_EQ(sanitize("a\x1b[2Jb\r\n\t\x7f"
                     "c"),
            "a[2Jbc");
  EXPECT_EQ(sanitize("x\xc2\x9b"
                     "31my"),
            "x31my");  // C1 CSI
  EXPECT_EQ(sanitize("caf\xc3\xa9 \xe2\x98\x83"),
            "caf\xc3\xa9 \xe2\x98\x83");  // printable UTF-8 kept
}

TEST(Format, SanitizeShowsBidiAndZeroWidthCharactersVisibly) {
  // RLO would show "exe.txt" reversed as "txt.exe"; the reader must see the override.
  EXPECT_EQ(sanitize("evil\xe2\x80\xaetxt.exe"), "evil<U+202E>txt.exe");
  EXPECT_EQ(sanitize("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"),
            "<U+202A><U+202B><U+202C><U+202D>");
  EXPECT_EQ(sanitize("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9"),
            "<U+2066><U+2067><U+2068><U+2069>");
  EXPECT_EQ(sanitize("a\xe2\x80\x8b"
                     "b\xe2\x80\x8c\xe2\x80\x8d\xe2\x80\x8e\xe2\x80\x8f"),
            "a<U+200B>b<U+200C><U+200D><U+200E><U+200F>");
  EXPECT_EQ(sanitize("al\xe2\x81\xa0ice\xef\xbb\xbf"), "al<U+2060>ice<U+FEFF>");
  // Neighbours of the ranges are ordinary text and stay as they are.
  EXPECT_EQ(sanitize("\xe2\x80\x8a\xe2\x80\x90\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa"),
            "\xe2\x80\x8a\xe2\x80\x90\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa");
  EXPECT_EQ(sanitize("\xef\xbb\xbe"), "\xef\xbb\xbe");
  EXPECT_EQ(sanitize("cut \xe2\x80"), "cut \xe2\x80");  // truncated sequence: no read past the end
}

TEST(Format, PeerControlledFieldsAreSanitized) {
  EXPECT_EQ(line(Message{MessageKind::Broadcast, 1, "ev\x1bil", "x\x1b]0;pwned\x07y"}),
            "[Broad Msg] evil: x]0;pwnedy");
  EXPECT_EQ(line(UsersJoined{{{1,
                               "a\x1b"
                               "b"}}}),
            "[Sys] Some user login. Active users: 1 ab");
  EXPECT_EQ(line(ServerError{"e\x1b[31m"}), "[Err] e[31m");
  EXPECT_EQ(line(Message{MessageKind::OneToOne, 1,
                         "bo\xe2\x80\x8b"
                         "b",
                         "\xe2\x80\xaehi"}),
            "[1-1 Msg] bo<U+200B>b: <U+202E>hi");
}

}  // namespace
}  // namespace qc::client
