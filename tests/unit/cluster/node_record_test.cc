// The heartbeat record's codec and the tables `quicchat admin nodes` and `who --cluster` print.
#include "cluster/node_record.h"

#include <gtest/gtest.h>

namespace qc::cluster {
namespace {

NodeRecord sample_record() {
  NodeRecord r;
  r.address = "[::1]:4433";
  r.up_since_ms = 1'764'760'000'000;
  r.at_ms = 1'764'760'042'000;
  r.sessions = 3;
  r.bus_rtt_us = 410;
  r.store_ok = false;
  r.store_us = 12'345;
  return r;
}

TEST(NodeRecord, EncodesToOneLineThatDecodesBack) {
  const std::string line = encode_node_record(sample_record());
  EXPECT_EQ(line,
            "v=1 addr=[::1]:4433 up=1764760000000 at=1764760042000 sessions=3 rtt_us=410 "
            "store=failed store_us=12345");
  auto back = decode_node_record(line);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, sample_record());
}

TEST(NodeRecord, IgnoresANewerNodesKeysAndExtraSpaces) {
  auto r = decode_node_record("v=1  at=5 cpu=0.3 addr=a:1 ");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->at_ms, 5);
  EXPECT_EQ(r->address, "a:1");
  EXPECT_TRUE(r->store_ok);
}

TEST(NodeRecord, RefusesWhatIsNotARecord) {
  for (const char* bad :
       {"", "alive", "v=2 at=1", "at=1", "v=1", "v=1 at=x", "v=1 at=1 sessions=-1",
        "v=1 at=1 store=maybe", "v=1 at=1 rtt_us=", "v=1 at=1 word"}) {
    EXPECT_FALSE(decode_node_record(bad)) << bad;
  }
  EXPECT_FALSE(decode_node_record("v=1 at=1 addr=" + std::string(600, 'a')));
}

TEST(NodeTable, ShowsEachNodeItsAgesCountsAndHealth) {
  ClusterNode up{"n1", true, sample_record(), {"alice", "bob"}};
  ClusterNode down{"n2", false, sample_record(), {}};
  down.record->address = "10.0.0.2:4433";
  down.record->store_ok = true;
  ClusterNode unreadable{"n3", true, std::nullopt, {"cam"}};
  const std::int64_t now = sample_record().at_ms + 1'500;
  const std::string table = format_nodes({up, down, unreadable}, now);
  EXPECT_EQ(table,
            "NODE  STATE  ADDRESS        UP SINCE  HEARTBEAT  ACCOUNTS  SESSIONS  BUS RTT  "
            "STORE   STORE TIME\n"
            "n1    up     [::1]:4433     43s ago   1.5s ago   2         3         0.4ms    "
            "failed  12.3ms\n"
            "n2    down   10.0.0.2:4433  43s ago   1.5s ago   0         3         0.4ms    "
            "ok      12.3ms\n"
            "n3    up     ?              ?         ?          1         ?         ?        "
            "?       ?\n"
            "3 nodes, 2 up, 3 accounts online\n");
}

TEST(NodeTable, LongAgesInHoursAndAClockBehindIsZero) {
  ClusterNode n{"n1", true, sample_record(), {}};
  n.record->up_since_ms = n.record->at_ms - 700 - 2 * 3'600'000 - 5 * 60'000;
  const std::string table = format_nodes({n}, n.record->at_ms - 700);
  EXPECT_NE(table.find("2h5m ago"), std::string::npos) << table;
  EXPECT_NE(table.find("0.0s ago"), std::string::npos) << table;
}

TEST(ClusterWho, OneNodeAndAccountALine) {
  const std::string text = format_cluster_who({{"n1", true, std::nullopt, {"alice"}},
                                               {"node-two", true, std::nullopt, {"alice", "bob"}},
                                               {"n3", false, std::nullopt, {}}});
  EXPECT_EQ(text,
            "NODE      ACCOUNT\n"
            "n1        alice\n"
            "node-two  alice\n"
            "node-two  bob\n"
            "3 online on 3 nodes\n");
}

}  // namespace
}  // namespace qc::cluster
