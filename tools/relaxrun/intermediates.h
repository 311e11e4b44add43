// `relaxrun --dump-intermediates DIR` writes the value of every binding a kernel or runtime
// function computes as DIR/<function>.<binding>.npy (the function as written, so that a run at
// -O0 and one at -O2 name them alike; a binding's second output or second call gets .1, .2);
// `--compare-intermediates DIR` compares each with the file of the same name from another run
// and stops at the first beyond --atol/--rtol, naming the binding and its .tvms line.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "runtime/executable.h"
#include "runtime/vm.h"

namespace relaxrun {

// The first binding that differs.
class IntermediateMismatch : public std::runtime_error {
 public:
  IntermediateMismatch(std::string message, const relaxrt::CallSite& site) : std::runtime_error(std::move(message)), site_(site) {}
  const relaxrt::CallSite& site() const { return site_; }

 private:
  relaxrt::CallSite site_;
};

class Intermediates : public relaxrt::CallObserver {
 public:
  // `dump` and `compare` are directories (empty: not asked); `load` reads a .npy as a tensor.
  Intermediates(const relaxrt::Executable& exe, std::string dump, std::string compare, double atol, double rtol,
                std::function<relaxrt::Value(const std::string&)> load);
  void returned(int64_t address, const std::vector<relaxrt::Value>& args) override;
  int64_t dumped() const { return dumped_; }
  int64_t compared() const { return compared_; }
  // The mismatch that stopped the run (thrown through the VM and the C API, which pass on only
  // its message), or nullptr.
  const IntermediateMismatch* mismatch() const { return mismatch_.get(); }

 private:
  std::string file_name(const relaxrt::CallSite& site, int64_t output, int64_t outputs);
  std::string callee_of(int64_t address) const;  // the kernel or function the call at `address` calls

  const relaxrt::Executable& exe_;
  std::map<int64_t, const relaxrt::CallSite*> sites_;
  std::string dump_, compare_;
  double atol_, rtol_;
  std::function<relaxrt::Value(const std::string&)> load_;
  std::map<std::string, int> seen_;
  int64_t dumped_ = 0, compared_ = 0;
  std::unique_ptr<IntermediateMismatch> mismatch_;
};

}  // namespace relaxrun
