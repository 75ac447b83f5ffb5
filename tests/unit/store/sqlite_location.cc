// unit_store's stores: an SQLite file in a temp dir of its own.
#include "../support/temp_dir.h"
#include "store_location.h"

namespace qc::store::test {
namespace {

class SqliteLocation final : public Location {
 public:
  bool ok() const override { return dir_.ok(); }
  std::string db() const override { return dir_.file("quicchat.db"); }

 private:
  qc::testing::TempDir dir_;
};

}  // namespace

std::unique_ptr<Location> new_location() { return std::make_unique<SqliteLocation>(); }

}  // namespace qc::store::test
