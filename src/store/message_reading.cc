#include "store/message_reading.h"

#include <algorithm>
#include <variant>

namespace qc::store {

using history::PageResult;
using history::ReadResult;
using history::Status;
using proto::v2::Msg;

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ',';
    out += n;
  }
  return out;
}

std::vector<std::string> split_names(const std::string& joined) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start < joined.size()) {
    const std::size_t comma = std::min(joined.find(',', start), joined.size());
    names.push_back(joined.substr(start, comma - start));
    start = comma + 1;
  }
  return names;
}

namespace {

// A page's texts stay within this (at least one message), so that a page of long messages neither
// outgrows a client's frame limit nor the server's per-connection send queue bound (1 MiB by
// default): the rest comes with the next page ("more").
constexpr std::size_t kMaxPageTextBytes = 256 * 1024;
// The whole login catch-up likewise: past it, each conversation's page has one message, and
// "more" says the client should page on.
constexpr std::size_t kMaxCatchUpTextBytes = 512 * 1024;

// How many rows, from the front (the side nearest the asked position), fit `max_bytes`.
std::size_t rows_within(const std::vector<Msg>& rows, std::size_t max_bytes) {
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    bytes += rows[i].text.size();
    if (bytes > max_bytes) return std::max<std::size_t>(i, 1);
  }
  return rows.size();
}

// Rows come `limit` + 1 at most, in query order; the extra one only says there are more.
// The page is oldest first.
void take_page(std::vector<Msg> rows, std::uint32_t limit, bool newest_first, PageResult& page,
               std::size_t max_bytes = kMaxPageTextBytes) {
  page.more = rows.size() > limit;
  if (page.more) rows.resize(limit);
  if (const std::size_t fit = rows_within(rows, max_bytes); fit < rows.size()) {
    rows.resize(fit);
    page.more = true;
  }
  if (newest_first) std::reverse(rows.begin(), rows.end());
  page.msgs = std::move(rows);
}

// Ids after `position` that retention deleted: the gap before the first one still there.
std::uint64_t expired_after(std::uint64_t position, std::uint64_t first_kept) {
  return first_kept > position + 1 ? first_kept - 1 - position : 0;
}

// The first id still stored after a position, from the rows read after it (oldest first).
std::uint64_t first_kept(const std::vector<Msg>& ascending_rows, std::uint64_t last_id) {
  return ascending_rows.empty() ? last_id + 1 : ascending_rows.front().id;
}

void set_cursor_figures(bool listed, std::uint64_t read, std::uint64_t last, PageResult& page) {
  page.read = listed ? read : 0;
  page.unread = listed && last > read ? last - read : 0;
}

ReadResult failed(const Error& e) { return ReadResult{Status::Failed, e.message, {}, {}}; }

// `after` set: the oldest messages after it; else the newest before `before` (or the latest).
Result<PageResult> read_page(MessageSource& source, const history::ReadPage& q) {
  const bool newest_first = !q.after.has_value();
  const std::uint64_t after = q.after.value_or(0);
  const std::uint64_t before = q.before.value_or(kNoUpperBound);
  auto rows = source.messages(q.conv, after, before, q.limit, newest_first);
  if (!rows) return Unexpected<Error>{rows.error()};
  auto last = source.last_id(q.conv);
  if (!last) return Unexpected<Error>{last.error()};
  auto cursor = source.cursor_of(q.account_id, q.conv);
  if (!cursor) return Unexpected<Error>{cursor.error()};
  PageResult page;
  page.conv = q.conv;
  if (q.after) page.expired = expired_after(after, std::min(first_kept(*rows, *last), before));
  take_page(std::move(*rows), q.limit, newest_first, page);
  set_cursor_figures(cursor->listed, cursor->read, *last, page);
  return page;
}

Result<std::vector<PageResult>> read_catch_up(MessageSource& source,
                                              const history::ReadCatchUp& q) {
  auto listed = source.listed_convs(q.account_id);
  if (!listed) return Unexpected<Error>{listed.error()};
  std::vector<PageResult> pages;
  std::size_t catch_up_bytes = 0;
  for (const auto& c : *listed) {
    const auto named = std::find_if(q.since.begin(), q.since.end(),
                                    [&](const proto::v2::Since& s) { return s.conv == c.conv; });
    const std::uint64_t position = named != q.since.end() ? named->id : c.read;
    PageResult page;
    page.conv = c.conv;
    set_cursor_figures(true, c.read, c.last, page);
    if (position >= c.last && page.unread == 0) continue;  // nothing new, nothing unread
    if (position < c.last) {
      auto rows = source.messages(c.conv, position, kNoUpperBound, q.per_conv_limit, false);
      if (!rows) return Unexpected<Error>{rows.error()};
      page.expired = expired_after(position, first_kept(*rows, c.last));
      const std::size_t room =
          catch_up_bytes < kMaxCatchUpTextBytes
              ? std::min(kMaxPageTextBytes, kMaxCatchUpTextBytes - catch_up_bytes)
              : 0;
      take_page(std::move(*rows), q.per_conv_limit, false, page, room);
      for (const Msg& m : page.msgs) catch_up_bytes += m.text.size();
    }
    pages.push_back(std::move(page));
  }
  return pages;
}

}  // namespace

ReadResult read_messages(MessageSource& source, const history::Query& query) {
  ReadResult out;
  if (const auto* q = std::get_if<history::ReadPage>(&query)) {
    auto page = read_page(source, *q);
    if (!page) return failed(page.error());
    out.pages.push_back(std::move(*page));
    return out;
  }
  const auto* catch_up = std::get_if<history::ReadCatchUp>(&query);
  if (catch_up == nullptr) {  // ReadRooms: the writer asks the store's load_rooms
    out.status = history::Status::Failed;
    out.detail = "rooms are read with load_rooms";
    return out;
  }
  auto pages = read_catch_up(source, *catch_up);
  if (!pages) return failed(pages.error());
  out.pages = std::move(*pages);
  return out;
}

}  // namespace qc::store
