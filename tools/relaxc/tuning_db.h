// The tuning database of relaxc --tune / --tuning-db: a JSON file of the schedule knobs that
// ran fastest for a kernel on a CPU, so later compiles reuse them without measuring again.
//   {"format": "relaxc-tuning-db", "version": 1, "records": [
//     {"workload": "9f3c...", "kernel": "linear_relu_kmajor", "cpu": "znver5",
//      "sizes": {"batch": 4443}, "rows_per_tile": 8, "vectors_per_row": 2, "parallel": true,
//      "median_us": 2510.2, "default_us": 2604.9}]}
// A workload is the kernel as it is before scheduling (its canonical TVMScript) and the CPU,
// hashed: a kernel that changes, or another CPU, finds no record.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/ir/tir.h"
#include "compiler/passes/schedule_knobs.h"

namespace relaxc {

struct TuningRecord {
  std::string workload;
  std::string kernel;                     // for people reading the file
  std::string cpu;
  std::map<std::string, int64_t> sizes;   // the symbolic sizes it was measured at
  ScheduleKnobs knobs;
  double median_us = 0;
  double default_us = 0;                  // the default knobs, measured in the same run
};

class TuningDb {
 public:
  // Reads `path`; a file that does not exist is an empty database. Returns "" or an error
  // that names the file and what is wrong in it.
  std::string load(const std::string& path);
  // Writes the records to `path` atomically; returns "" or an error.
  std::string save(const std::string& path) const;

  const TuningRecord* find(const std::string& workload) const;
  // Adds `record`, replacing one of the same workload.
  void put(const TuningRecord& record);
  const std::vector<TuningRecord>& records() const { return records_; }

 private:
  std::vector<TuningRecord> records_;
};

// The workload of `kernel` (unscheduled) on `cpu`: 16 hex digits.
std::string workload_key(const tir::PrimFunc& kernel, const std::string& cpu);

}  // namespace relaxc
