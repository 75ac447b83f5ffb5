// Connection handle -> connection, in one flat array (open addressing, linear probing): a
// lookup per delivery reads one slot instead of chasing a hash-map node. Handles come from one
// counter, so the slot is the handle's low bits. Internal to src/quic.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "quic/endpoint.h"

namespace qc::quic {

template <typename T>
class ConnIndex {
 public:
  T* find(ConnHandle h) const {
    if (slots_.empty()) return nullptr;
    for (std::size_t i = h & mask(); slots_[i].handle != 0; i = (i + 1) & mask()) {
      if (slots_[i].handle == h) return slots_[i].value;
    }
    return nullptr;
  }

  // h != 0 (handles start at 1); replaces the value of a handle already in.
  void insert(ConnHandle h, T* value) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    std::size_t i = h & mask();
    while (slots_[i].handle != 0 && slots_[i].handle != h) i = (i + 1) & mask();
    if (slots_[i].handle == 0) ++size_;
    slots_[i] = Slot{h, value};
  }

  // Backward-shift deletion: the slots after it move up, so probing needs no tombstones.
  void erase(ConnHandle h) {
    if (slots_.empty()) return;
    std::size_t i = h & mask();
    while (slots_[i].handle != h) {
      if (slots_[i].handle == 0) return;
      i = (i + 1) & mask();
    }
    for (std::size_t j = (i + 1) & mask(); slots_[j].handle != 0; j = (j + 1) & mask()) {
      const std::size_t home = slots_[j].handle & mask();
      // Slot j may fill the hole at i unless its home lies cyclically in (i, j].
      const bool home_after_hole = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (home_after_hole) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    slots_[i] = Slot{};
    --size_;
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {
    ConnHandle handle = 0;  // 0: empty
    T* value = nullptr;
  };

  std::size_t mask() const { return slots_.size() - 1; }

  void grow() {
    std::vector<Slot> old(std::max<std::size_t>(16, 2 * slots_.size()));
    old.swap(slots_);
    size_ = 0;
    for (const Slot& s : old) {
      if (s.handle != 0) insert(s.handle, s.value);
    }
  }

  std::vector<Slot> slots_;  // a power of two, at most half full
  std::size_t size_ = 0;
};

}  // namespace qc::quic
