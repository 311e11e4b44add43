#include "compiler/support/large_stack.h"

#include <pthread.h>
#include <signal.h>

namespace relaxc {
namespace {

struct Job {
  const std::function<int()>* body;
  int result = 0;
};

void* run_job(void* arg) {
  auto* job = static_cast<Job*>(arg);
  // LLVM installs an alternate signal stack of its own on the threads it runs on; the one the
  // thread started with (AddressSanitizer's) is put back before the thread ends, since its
  // exit frees that one and cannot free LLVM's.
  stack_t original{};
  bool saved = sigaltstack(nullptr, &original) == 0;
  job->result = (*job->body)();
  if (saved) sigaltstack(&original, nullptr);
  return nullptr;
}

}  // namespace

int run_with_stack(size_t stack_bytes, const std::function<int()>& body) {
  Job job{&body};
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return body();
  pthread_t thread;
  bool started = pthread_attr_setstacksize(&attr, stack_bytes) == 0 && pthread_create(&thread, &attr, run_job, &job) == 0;
  pthread_attr_destroy(&attr);
  if (!started) return body();
  pthread_join(thread, nullptr);
  return job.result;
}

}  // namespace relaxc
