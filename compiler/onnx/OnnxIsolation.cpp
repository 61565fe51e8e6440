//===- OnnxIsolation.cpp - ONNX's own code in a child process -------------===//
//
// The child inherits the parsed model (fork copies nothing until it is
// written), runs the stages on a copy and writes records to a pipe: the
// stage it enters, then either its diagnostics or the prepared model. An
// initializer the stages left as it was is sent as its name only and taken
// back from the parent's copy, so weights do not cross the pipe.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/OnnxIsolation.h"
#include "compiler/onnx/NodeContext.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <new>
#include <optional>
#include <poll.h>
#include <set>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define EDGEC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EDGEC_ASAN 1
#endif
#endif

using namespace mlir;

namespace edgec::onnx_import {

namespace {

// A record on the pipe: one tag byte, a 64-bit length, that many bytes.
enum Tag : char {
  kStage = 'S',      // the stage the child enters
  kDiagnostic = 'D', // a diagnostic: severity byte, node name, NUL, op type, NUL, text
  kFailed = 'F',     // the stages failed (their diagnostics came before)
  kKept = 'K',       // an initializer left as it was: its name
  kModel = 'M',      // the prepared model
  kOutOfMemory = 'O', // an allocation failed
  kThrew = 'T'       // an exception the stages did not catch: its text
};

bool writeAll(int fd, const char *data, size_t size) {
  while (size) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void writeRecord(int fd, char tag, llvm::StringRef bytes) {
  char header[9];
  header[0] = tag;
  uint64_t size = bytes.size();
  std::memcpy(header + 1, &size, sizeof size);
  if (writeAll(fd, header, sizeof header))
    writeAll(fd, bytes.data(), bytes.size());
}

/// The address space this process has mapped (the child's limit is set on
/// top of it: it inherits all of it).
uint64_t addressSpaceBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0;
  statm >> pages;
  return pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

/// Same tensor: the data compared in place, the rest serialised without it
/// (the strings are swapped out and back). raw_data's presence is part of a
/// proto2 tensor, so a tensor without it is compared whole.
bool sameTensor(onnx::TensorProto &a, onnx::TensorProto &b) {
  if (a.has_raw_data() != b.has_raw_data())
    return false;
  if (!a.has_raw_data())
    return a.SerializeAsString() == b.SerializeAsString();
  if (a.raw_data() != b.raw_data())
    return false;
  std::string rawA, rawB;
  rawA.swap(*a.mutable_raw_data());
  rawB.swap(*b.mutable_raw_data());
  bool same = a.SerializeAsString() == b.SerializeAsString();
  rawA.swap(*a.mutable_raw_data());
  rawB.swap(*b.mutable_raw_data());
  return same;
}

/// A diagnostic as a record: the stages place theirs at the file or at a
/// node (onnxNodeLoc: the node's name around its op type).
std::string diagnosticRecord(Diagnostic &d) {
  std::string name, op;
  if (auto node = dyn_cast<NameLoc>(d.getLocation()))
    if (auto type = dyn_cast<NameLoc>(node.getChildLoc())) {
      name = node.getName().str();
      op = type.getName().str();
    }
  return std::string(1, static_cast<char>(d.getSeverity())) + name + '\0' + op + '\0' + d.str();
}

void emitRecorded(llvm::StringRef record, Location file) {
  auto severity = static_cast<DiagnosticSeverity>(record.front());
  auto [name, rest] = record.drop_front().split('\0');
  auto [op, text] = rest.split('\0');
  MLIRContext *ctx = file->getContext();
  Location loc = name.empty() ? file
                              : Location(NameLoc::get(StringAttr::get(ctx, name),
                                                      NameLoc::get(StringAttr::get(ctx, op), file)));
  if (severity == DiagnosticSeverity::Warning)
    emitWarning(loc) << text;
  else if (severity == DiagnosticSeverity::Remark)
    emitRemark(loc) << text;
  else
    emitError(loc) << text;
}

[[noreturn]] void runChild(int fd, onnx::ModelProto &model, OnnxStages stages, MLIRContext *ctx,
                           uint64_t memoryBytes) {
  // Die quietly, without a core file, and with edgec: the parent reports.
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS})
    std::signal(sig, SIG_DFL);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  rlimit noCore{0, 0};
  setrlimit(RLIMIT_CORE, &noCore);
  // What ONNX or the C library might print would break edgec's output
  // (`import` writes the module to stdout): the pipe carries what counts.
  if (int null = ::open("/dev/null", O_WRONLY); null >= 0) {
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::close(null);
  }
#ifndef EDGEC_ASAN // ASan reserves terabytes of shadow address space
  uint64_t limit = addressSpaceBytes() + memoryBytes;
  rlimit as{limit, limit};
  setrlimit(RLIMIT_AS, &as);
#else
  (void)memoryBytes;
#endif
  OnnxStageLog log(fd);
  ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &d) {
    writeRecord(fd, kDiagnostic, diagnosticRecord(d));
    return success();
  });
  try {
    log.enter("edgec's copy of the model");
    onnx::ModelProto work(model);
    if (failed(stages(work, log))) {
      writeRecord(fd, kFailed, "");
      _exit(0);
    }
    // Initializers by name; a name given twice is never stripped.
    std::unordered_map<std::string, onnx::TensorProto *> before;
    for (onnx::TensorProto &t : *model.mutable_graph()->mutable_initializer())
      if (!before.emplace(t.name(), &t).second)
        before[t.name()] = nullptr;
    std::set<std::string> seen;
    for (onnx::TensorProto &t : *work.mutable_graph()->mutable_initializer()) {
      auto it = before.find(t.name());
      if (it == before.end() || !it->second || !seen.insert(t.name()).second || !sameTensor(t, *it->second))
        continue;
      writeRecord(fd, kKept, t.name());
      std::string name = t.name();
      t.Clear();
      t.set_name(name);
    }
    writeRecord(fd, kModel, work.SerializeAsString());
  } catch (const std::bad_alloc &) {
    writeRecord(fd, kOutOfMemory, "");
  } catch (const std::exception &e) {
    writeRecord(fd, kThrew, e.what());
  } catch (...) {
    writeRecord(fd, kThrew, "an exception of unknown type");
  }
  _exit(0);
}

struct ChildResult {
  enum Outcome { Done, Failed, OutOfMemory, Threw, Crashed, TimedOut, Exited, NoResult, NotRun } outcome = NotRun;
  int status = 0; // the signal (Crashed) or exit status (Exited)
  std::string stage, systemError, thrown;
  std::string buffer;             // everything the child wrote
  llvm::StringRef modelBytes;     // the prepared model, in `buffer`
  std::vector<llvm::StringRef> diagnostics, kept;
};

ChildResult runInChild(onnx::ModelProto &model, OnnxStages stages, MLIRContext *ctx,
                       const OnnxIsolationLimits &limits) {
  ChildResult result;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    result.systemError = std::string("cannot create a pipe: ") + std::strerror(errno);
    return result;
  }
  std::fflush(nullptr); // nothing buffered is written twice
  pid_t pid = fork();
  if (pid < 0) {
    result.systemError = std::string("cannot start a process: ") + std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    return result;
  }
  if (pid == 0) {
    ::close(fds[0]);
    runChild(fds[1], model, stages, ctx, limits.memoryBytes);
  }
  ::close(fds[1]);

  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(limits.seconds));
  std::string &buffer = result.buffer;
  std::vector<char> chunk(1 << 20);
  bool timedOut = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timedOut = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1 << 30)));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready == 0)
      continue; // the deadline is checked above
    ssize_t n = ready < 0 ? -1 : ::read(fds[0], chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) // not expected of a pipe; the child must not outlive it
      ::kill(pid, SIGKILL);
    if (n <= 0)
      break;
    buffer.append(chunk.data(), static_cast<size_t>(n));
  }
  if (timedOut)
    ::kill(pid, SIGKILL);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  bool gotModel = false, failedStages = false, outOfMemory = false, threw = false;
  for (size_t at = 0; at + 9 <= buffer.size();) {
    char tag = buffer[at];
    uint64_t size;
    std::memcpy(&size, buffer.data() + at + 1, sizeof size);
    if (size > buffer.size() - at - 9)
      break; // cut short by a crash
    llvm::StringRef bytes(buffer.data() + at + 9, size);
    at += 9 + size;
    switch (tag) {
    case kStage: result.stage = bytes.str(); break;
    case kDiagnostic: result.diagnostics.push_back(bytes); break;
    case kFailed: failedStages = true; break;
    case kKept: result.kept.push_back(bytes); break;
    case kModel: result.modelBytes = bytes; gotModel = true; break;
    case kOutOfMemory: outOfMemory = true; break;
    case kThrew: result.thrown = bytes.str(); threw = true; break;
    }
  }
  if (timedOut) {
    result.outcome = ChildResult::TimedOut;
  } else if (WIFSIGNALED(status)) {
    result.outcome = ChildResult::Crashed;
    result.status = WTERMSIG(status);
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    result.outcome = ChildResult::Exited;
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  } else if (outOfMemory) {
    result.outcome = ChildResult::OutOfMemory;
  } else if (threw) {
    result.outcome = ChildResult::Threw;
  } else if (gotModel) {
    result.outcome = ChildResult::Done;
  } else if (failedStages) {
    result.outcome = ChildResult::Failed;
  } else {
    result.outcome = ChildResult::NoResult;
  }
  return result;
}

/// The model with only its first `count` nodes, and the graph outputs those
/// (or the inputs and initializers) produce.
onnx::ModelProto prefixModel(const onnx::ModelProto &model, int count) {
  onnx::ModelProto prefix(model);
  onnx::GraphProto &graph = *prefix.mutable_graph();
  graph.mutable_node()->DeleteSubrange(count, graph.node_size() - count);
  std::set<std::string> visible;
  addDefinedNames(graph, visible);
  auto *outputs = graph.mutable_output();
  for (int i = outputs->size() - 1; i >= 0; --i)
    if (!visible.count(outputs->Get(i).name()))
      outputs->DeleteSubrange(i, 1);
  return prefix;
}

bool diedIn(const ChildResult &r, const std::string &stage) {
  return (r.outcome == ChildResult::Crashed || r.outcome == ChildResult::OutOfMemory) && r.stage == stage;
}

/// The node whose addition makes the stages die: the shortest prefix of the
/// graph that still dies in `stage` ends with it. None when the empty graph
/// dies too (not a node's doing).
std::optional<int> dyingNode(onnx::ModelProto &model, const std::string &stage, OnnxStages stages,
                             MLIRContext *ctx, const OnnxIsolationLimits &limits) {
  int lo = 0, hi = model.graph().node_size(); // the whole graph dies
  // A prefix that hangs counts as not dying; a shorter limit keeps the
  // search from multiplying a hang.
  OnnxIsolationLimits prefixLimits = limits;
  prefixLimits.seconds = std::min(limits.seconds, 30.0);
  auto dies = [&](int count) {
    onnx::ModelProto prefix = prefixModel(model, count);
    return diedIn(runInChild(prefix, stages, ctx, prefixLimits), stage);
  };
  if (hi == 0 || dies(0))
    return std::nullopt;
  while (hi - lo > 1) {
    int mid = lo + (hi - lo) / 2;
    (dies(mid) ? hi : lo) = mid;
  }
  return hi - 1;
}

std::string signalName(int sig) {
  const char *abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

/// Limits from the environment, where given.
void applyEnvironment(bool &isolate, OnnxIsolationLimits &limits) {
  if (const char *v = std::getenv("EDGEC_ONNX_IN_PROCESS"); v && llvm::StringRef(v) == "1")
    isolate = false;
  if (const char *v = std::getenv("EDGEC_ONNX_TIME_LIMIT")) {
    char *end = nullptr;
    double s = std::strtod(v, &end);
    if (end != v && s > 0 && s <= 1e6) // a deadline past that would overflow the clock
      limits.seconds = s;
  }
  if (const char *v = std::getenv("EDGEC_ONNX_MEMORY_LIMIT")) {
    char *end = nullptr;
    unsigned long long mib = std::strtoull(v, &end, 10);
    if (end != v && mib > 0 && mib < (1ull << 40))
      limits.memoryBytes = mib << 20;
  }
}

} // namespace

void OnnxStageLog::enter(const char *name) {
  stage = name;
  if (fd >= 0)
    writeRecord(fd, kStage, name);
}

/// The stages in this process (EDGEC_ONNX_IN_PROCESS=1, the fuzzers, or
/// no process to be had).
static LogicalResult runInProcess(onnx::ModelProto &model, Location file, OnnxStages stages) {
  OnnxStageLog log;
  try {
    return stages(model, log);
  } catch (const std::bad_alloc &) {
    return emitError(file) << log.current() << " ran out of memory";
  }
}

LogicalResult runOnnxStages(onnx::ModelProto &model, Location file, bool isolate, OnnxStages stages,
                            OnnxIsolationLimits limits) {
  applyEnvironment(isolate, limits);
  if (!isolate)
    return runInProcess(model, file, stages);
  if (limits.memoryBytes == 0)
    limits.memoryBytes = (uint64_t(4) << 30) + 4 * uint64_t(model.ByteSizeLong());
  MLIRContext *ctx = file->getContext();
  ChildResult r = runInChild(model, stages, ctx, limits);
  if (r.outcome == ChildResult::NotRun) // fork or pipe refused: as edgec did before it had the child
    return runInProcess(model, file, stages);
  for (llvm::StringRef d : r.diagnostics)
    emitRecorded(d, file);
  const std::string &stage = r.stage;
  switch (r.outcome) {
  case ChildResult::Done: {
    onnx::ModelProto prepared;
    if (!prepared.ParseFromArray(r.modelBytes.data(), static_cast<int>(r.modelBytes.size())))
      return emitError(file) << "the model " << stage << " returned cannot be read back";
    std::unordered_map<std::string, onnx::TensorProto *> original;
    for (onnx::TensorProto &t : *model.mutable_graph()->mutable_initializer())
      original.emplace(t.name(), &t);
    std::set<std::string> kept;
    for (llvm::StringRef name : r.kept)
      kept.insert(name.str());
    for (onnx::TensorProto &t : *prepared.mutable_graph()->mutable_initializer())
      if (auto it = original.find(t.name()); it != original.end() && kept.erase(t.name()))
        t.Swap(it->second);
    model.Swap(&prepared);
    return success();
  }
  case ChildResult::Failed:
    return failure(); // its diagnostics are above
  case ChildResult::TimedOut:
    return emitError(file) << stage << " did not finish in "
                           << llvm::formatv("{0}", llvm::format("%g", limits.seconds)).str()
                           << " s (EDGEC_ONNX_TIME_LIMIT sets the limit)";
  case ChildResult::Threw:
    return emitError(file) << stage << " threw " << r.thrown;
  case ChildResult::Exited:
    return emitError(file) << stage << " ended the process with status " << r.status;
  case ChildResult::NoResult:
    return emitError(file) << stage << " ended the process without a result";
  case ChildResult::NotRun:
  case ChildResult::Crashed:
  case ChildResult::OutOfMemory:
    break;
  }
  std::string what = r.outcome == ChildResult::Crashed
                         ? "crashed (" + signalName(r.status) + ")"
                         : "ran out of memory (more than " + std::to_string(limits.memoryBytes >> 20) +
                               " MiB; EDGEC_ONNX_MEMORY_LIMIT sets the limit)";
  if (std::optional<int> node = dyingNode(model, r.stage, stages, ctx, limits))
    return emitError(onnxNodeLoc(file, model.graph().node(*node), *node))
           << stage << " " << what << " on this node; edgec cannot read the model";
  return emitError(file) << stage << " " << what << "; edgec cannot read the model";
}

} // namespace edgec::onnx_import
