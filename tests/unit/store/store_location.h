// Where a store-interface test keeps its data: each test binary links one definition of
// new_location(), so the same tests run over SQLite (unit_store: a file in a temp dir) and
// over PostgreSQL (unit_store_pg: a new database in a server the binary starts once).
#pragma once

#include <memory>
#include <string>

namespace qc::store::test {

class Location {
 public:
  virtual ~Location() = default;
  virtual bool ok() const = 0;
  virtual std::string db() const = 0;  // what --db would say: a file path or a URL
};

std::unique_ptr<Location> new_location();

}  // namespace qc::store::test
