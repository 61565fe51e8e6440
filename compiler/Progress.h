//===- Progress.h - a progress line for long work, on a terminal only -*- C++ -*-===//
//
// Calibration over many samples, a model for many targets, many models: a
// person at a terminal sees a counter redrawn on one stderr line; a CI log
// or a pipe gets nothing from it (only the tools' one-line results).
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_PROGRESS_H
#define EDGEC_COMPILER_PROGRESS_H

#include <cstddef>
#include <string>

namespace edgec {

class Progress {
public:
  /// "edgec: <what> [k/total] <item>", drawn from the first step().
  Progress(std::string what, size_t total);
  ~Progress(); // erases the line
  Progress(const Progress &) = delete;
  Progress &operator=(const Progress &) = delete;

  void step(const std::string &item = "");

  /// True when stderr is a terminal and neither CI nor EDGEC_NO_PROGRESS is
  /// set in the environment (CI services set CI).
  static bool enabled();

private:
  std::string what;
  size_t total, done = 0;
  bool on;
};

} // namespace edgec

#endif
