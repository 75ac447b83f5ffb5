// history: one user creates a room and fills it with P messages (at most W unacknowledged), then
// asks for its latest page of L messages again and again, one request at a time: server CPU per
// page and request -> page latency. Every page must hold the latest L messages (min(L, P)),
// ascending, with consecutive ids ending at the last message sent.
#include <algorithm>
#include <functional>

#include "bench/load/proc.h"
#include "bench/load/stats.h"
#include "bench/load/text.h"
#include "bench/scenarios/scenarios.h"

namespace qc::bench {
namespace {

constexpr std::string_view kRoom = "#history";

class Pages {
 public:
  Pages(Fleet& fleet, std::uint64_t prefill, std::uint64_t window, std::uint32_t page)
      : fleet_(fleet), user_(fleet.user(0)), prefill_(prefill), window_(window), page_(page) {}

  // --- the prefill: P messages to the room, at most W unacknowledged
  void start_prefill() { pump(); }
  bool prefilled() const { return acked_ == prefill_; }
  void on_acked(const client::Acked& a) {
    if (a.sent.size() != 1 || a.sent.front().id <= last_id_)
      return fleet_.fail("prefill: an ack without a new id: '" + a.send.text + "'");
    last_id_ = a.sent.front().id;
    ++acked_;
    pump();
  }

  // --- the pages: `count` requests, one at a time
  void start_pages(std::uint64_t count, bool measured) {
    asked_ = answered_ = 0;
    count_ = count;
    measured_ = measured;
    ask();
  }
  bool pages_done() const { return answered_ == count_; }
  void on_event(const client::Event& e) {
    const auto* page = std::get_if<client::HistoryPage>(&e);
    if (page == nullptr || page->origin != client::PageOrigin::History) return;
    const std::int64_t now = now_ns();
    if (auto problem = check(*page)) return fleet_.fail("history page: " + *problem);
    ++answered_;
    good_pages_ += measured_ ? 1 : 0;
    if (measured_) latency.add(now - asked_ns_);
    if (pages_done() && on_pages_done) on_pages_done();
    ask();
  }

  std::string progress() const {
    return std::to_string(acked_) + "/" + std::to_string(prefill_) + " stored, " +
           std::to_string(answered_) + "/" + std::to_string(count_) + " pages";
  }
  std::uint64_t good_pages() const { return good_pages_; }
  LatencySamples latency;
  std::function<void()> on_pages_done;

 private:
  void pump() {
    while (sent_ < prefill_ && sent_ - acked_ < window_) {
      if (auto r = user_.client->send_to_room(kRoom, make_text({sent_++, now_ns()})); !r)
        return fleet_.fail("send: " + r.error().message);
    }
  }
  void ask() {
    if (asked_ == count_) return;
    ++asked_;
    asked_ns_ = now_ns();
    if (auto r = user_.client->history(kRoom, {}, page_); !r)
      fleet_.fail("history: " + r.error().message);
  }
  std::optional<std::string> check(const client::HistoryPage& page) const {
    const std::uint64_t expected = std::min<std::uint64_t>(page_, prefill_);
    if (page.conv != kRoom) return "for " + page.conv + ", asked for " + std::string(kRoom);
    if (page.msgs.size() != expected) {
      return std::to_string(page.msgs.size()) + " messages, expected " + std::to_string(expected);
    }
    for (std::size_t i = 0; i < page.msgs.size(); ++i) {
      if (page.msgs[i].id != last_id_ - expected + 1 + i)
        return "message " + std::to_string(i) + " has id " + std::to_string(page.msgs[i].id) +
               ", expected the latest ids in ascending order up to " + std::to_string(last_id_);
    }
    if (page.more != (prefill_ > expected)) return "'more' is wrong";
    return std::nullopt;
  }

  Fleet& fleet_;
  BenchUser& user_;
  std::uint64_t prefill_, window_;
  std::uint32_t page_;
  std::uint64_t sent_ = 0, acked_ = 0, last_id_ = 0;
  std::uint64_t asked_ = 0, answered_ = 0, count_ = 0, good_pages_ = 0;
  bool measured_ = false;
  std::int64_t asked_ns_ = 0;
};

}  // namespace

Result<std::vector<Report>> run_history(const BenchOptions& opts) {
  if (opts.target.protocol != 2) return fail("usage", "history needs protocol v2");
  const auto pages = static_cast<std::uint64_t>(opts.messages);
  auto server = prepare_server(opts, 1, {account_batch(0, 1)});
  if (!server) return Unexpected<Error>{server.error()};
  auto fleet_made = Fleet::create(server->target, opts.phase_timeout);
  if (!fleet_made) return Unexpected<Error>{fleet_made.error()};
  Fleet& fleet = **fleet_made;
  fleet.add_user(server->users[0].name, server->users[0].password);
  Pages driver(fleet, static_cast<std::uint64_t>(opts.prefill), opts.windows.front(),
               static_cast<std::uint32_t>(opts.page));
  fleet.user(0).on_acked = [&driver](const client::Acked& a) { driver.on_acked(a); };
  fleet.user(0).on_other = [&driver](const client::Event& e) { driver.on_event(e); };

  ProcSample before, after;
  auto progress = [&driver] { return driver.progress(); };
  std::vector<Phase> phases;
  phases.push_back(fleet.connect_phase("login", 0, 1, 1));
  phases.push_back(fleet.join_phase("create " + std::string(kRoom), std::string(kRoom), 0, 1, 1));
  phases.push_back(wait_phase(
      "prefill", [&] { driver.start_prefill(); }, [&] { return driver.prefilled(); },
      opts.phase_timeout, progress));
  phases.push_back(wait_phase(
      "warm-up pages", [&] { driver.start_pages(static_cast<std::uint64_t>(opts.warmup), false); },
      [&] { return driver.pages_done(); }, opts.phase_timeout, progress));
  phases.push_back(wait_phase(
      "pages",
      [&] {
        driver.on_pages_done = [&] { after = sample_process(server->pid); };
        before = sample_process(server->pid);
        driver.start_pages(pages, true);
      },
      [&] { return driver.pages_done(); }, opts.phase_timeout, progress));
  if (!server->spawned) phases.push_back(fleet.logout_phase());
  if (auto r = fleet.run(std::move(phases)); !r) return Unexpected<Error>{r.error()};

  Report report("history");
  describe_target(report, *server, fleet);
  describe_logouts(report, *server, fleet);
  report.param("prefill", static_cast<double>(opts.prefill));
  report.param("page", static_cast<double>(opts.page));
  report.param("pages", static_cast<double>(pages));
  report.param("warmup", static_cast<double>(opts.warmup));
  const double wall_s = static_cast<double>(after.wall_ns - before.wall_ns) / 1e9;
  report.figure("pages_per_s", static_cast<double>(pages) / wall_s, "/s");
  report.figure("p50_us", driver.latency.percentile_us(50), "us");
  report.figure("p99_us", driver.latency.percentile_us(99), "us");
  if (auto cpu = cpu_delta_ns(before, after)) {
    report.figure("server_cpu_us_per_page",
                  static_cast<double>(*cpu) / 1e3 / static_cast<double>(pages), "us");
    report.figure("server_cpu_s", static_cast<double>(*cpu) / 1e9, "s");
  }
  add_bench_cpu(report, before, after);
  report.check("every page held the latest messages, in order", driver.good_pages() == pages,
               std::to_string(driver.good_pages()) + "/" + std::to_string(pages) + " pages");
  return std::vector<Report>{std::move(report)};
}

}  // namespace qc::bench
