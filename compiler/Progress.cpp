//===- Progress.cpp - a progress line for long work, on a terminal only ---===//
#include "compiler/Progress.h"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace edgec {

bool Progress::enabled() {
  return isatty(fileno(stderr)) && !std::getenv("CI") && !std::getenv("EDGEC_NO_PROGRESS");
}

Progress::Progress(std::string what, size_t total) : what(std::move(what)), total(total), on(enabled()) {}

Progress::~Progress() {
  if (on && done)
    std::fputs("\033[K", stderr); // the line goes; the results stay
}

void Progress::step(const std::string &item) {
  ++done;
  if (!on)
    return;
  // Drawn with the cursor left at the start of the line, so a result
  // printed meanwhile writes over it; \033[K clears what is left.
  std::fprintf(stderr, "\033[Kedgec: %s [%zu/%zu]%s%s\r", what.c_str(), done, total, item.empty() ? "" : " ",
               item.c_str());
  std::fflush(stderr);
}

} // namespace edgec
