// A manual-clock event loop and an in-memory client endpoint, for tests of ChatClient and of
// the terminal client above it: what goes on the wire, timers, close and reconnect.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "io/event_loop.h"
#include "quic/endpoint.h"

namespace qc::testing {

class FakeLoop final : public io::EventLoop {
 public:
  Result<void> watch_readable(int, std::function<void()>) override { return {}; }
  void unwatch(int) override {}
  TimerId add_timer(io::TimePoint when, std::function<void()> fn) override {
    timers[++last_id] = {when, std::move(fn)};
    return last_id;
  }
  void cancel_timer(TimerId id) override { timers.erase(id); }
  void on_idle(std::function<void()>) override {}
  void post(std::function<void()> fn) override { fn(); }
  void stop() override {}
  Result<void> run() override { return {}; }
  io::TimePoint now() const override { return clock; }

  // Advances the clock and runs every timer due by then.
  void advance(std::chrono::milliseconds by) {
    clock += by;
    for (auto it = timers.begin(); it != timers.end();) {
      if (it->second.first > clock) {
        ++it;
        continue;
      }
      auto fn = std::move(it->second.second);
      timers.erase(it);
      fn();
      it = timers.begin();
    }
  }

  io::TimePoint clock{};
  TimerId last_id = 0;
  std::map<TimerId, std::pair<io::TimePoint, std::function<void()>>> timers;
};

class FakeEndpoint final : public quic::ClientEndpoint {
 public:
  Result<quic::ConnHandle> connect(const quic::ClientOptions&) override { return ++last_conn; }
  std::optional<std::uint64_t> send(quic::ConnHandle conn, SharedBytes pdu) override {
    sent[conn].push_back(*pdu);
    return offset[conn] += pdu->size();
  }
  void close(quic::ConnHandle conn, std::uint64_t, std::string_view reason) override {
    closed[conn] = std::string(reason);
  }
  std::uint64_t stream_acked(quic::ConnHandle conn) const override {
    auto it = acked.find(conn);
    return it == acked.end() ? 0 : it->second;
  }
  Result<void> rebind(quic::ConnHandle conn) override {
    rebound.push_back(conn);
    return {};
  }
  quic::Stats stats() const override { return {}; }

  quic::ConnHandle last_conn = 0;
  std::map<quic::ConnHandle, std::vector<std::string>> sent;
  std::map<quic::ConnHandle, std::uint64_t> offset;  // stream offset after the last PDU sent
  std::map<quic::ConnHandle, std::uint64_t> acked;   // what stream_acked() answers
  std::map<quic::ConnHandle, std::string> closed;
  std::vector<quic::ConnHandle> rebound;
};

}  // namespace qc::testing
