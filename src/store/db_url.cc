#include "store/db_url.h"

namespace qc::store {
namespace {

constexpr std::string_view kSchemes[] = {"postgresql://", "postgres://"};

// The user part's password: between the first ':' and the '@' that ends the user part.
std::string without_user_password(std::string url, std::size_t authority) {
  const std::size_t end = url.find_first_of("/?", authority);
  const std::size_t at = url.rfind('@', end == std::string::npos ? url.size() : end);
  if (at == std::string::npos || at < authority) return url;
  const std::size_t colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) return url;
  return url.replace(colon + 1, at - colon - 1, "***");
}

// Every `password=` parameter of the query string.
std::string without_password_parameter(std::string url) {
  const std::size_t query = url.find('?');
  if (query == std::string::npos) return url;
  constexpr std::string_view kKey = "password=";
  for (std::size_t at = url.find(kKey, query); at != std::string::npos;
       at = url.find(kKey, at + 1)) {
    if (url[at - 1] != '?' && url[at - 1] != '&') continue;
    const std::size_t value = at + kKey.size();
    const std::size_t end = url.find('&', value);
    url.replace(value, (end == std::string::npos ? url.size() : end) - value, "***");
  }
  return url;
}

}  // namespace

bool is_postgres_url(std::string_view db) {
  for (auto scheme : kSchemes) {
    if (db.substr(0, scheme.size()) == scheme) return true;
  }
  return false;
}

std::string shown_db(std::string_view db) {
  if (!is_postgres_url(db)) return std::string(db);
  const std::size_t authority = db.find("://") + 3;
  return without_password_parameter(without_user_password(std::string(db), authority));
}

}  // namespace qc::store
