//===- Diagnostics.cpp - how edgec prints diagnostics -------------------===//
#include "compiler/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

using namespace mlir;

namespace edgec {

std::string describeLocation(Location loc) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc)) {
    if (auto op = llvm::dyn_cast<NameLoc>(name.getChildLoc())) {
      std::string file = describeLocation(op.getChildLoc());
      return (file.empty() ? "" : file + ": ") + "node '" + name.getName().str() + "' (" +
             op.getName().str() + ")";
    }
  }
  if (auto file = llvm::dyn_cast<FileLineColLoc>(loc)) {
    std::string s = file.getFilename().str();
    if (file.getLine() > 0)
      s += ":" + std::to_string(file.getLine()) + ":" + std::to_string(file.getColumn());
    return s;
  }
  if (llvm::isa<UnknownLoc>(loc))
    return "";
  std::string s;
  llvm::raw_string_ostream os(s);
  loc.print(os);
  return s;
}

CliDiagnosticHandler::CliDiagnosticHandler(MLIRContext *ctx)
    : ScopedDiagnosticHandler(ctx) {
  // Users get the node and op from the location; a dump of the IR op would
  // only bury the message.
  ctx->printOpOnDiagnostic(false);
  colour = isatty(fileno(stderr)) && !std::getenv("NO_COLOR");
  setHandler([this](Diagnostic &d) {
    const char *kind = "error", *code = "\033[1;31m";
    switch (d.getSeverity()) {
    case DiagnosticSeverity::Error:
      ++errors;
      break;
    case DiagnosticSeverity::Warning:
      kind = "warning", code = "\033[1;35m";
      break;
    case DiagnosticSeverity::Note:
      kind = "note", code = "\033[1;36m";
      break;
    case DiagnosticSeverity::Remark:
      kind = "remark", code = "\033[1;34m";
      break;
    }
    std::string where = describeLocation(d.getLocation());
    std::fprintf(stderr, "edgec: %s%s:%s %s%s\n", colour ? code : "", kind,
                 colour ? "\033[0m" : "", where.empty() ? "" : (where + ": ").c_str(),
                 d.str().c_str());
    for (Diagnostic &note : d.getNotes())
      std::fprintf(stderr, "edgec: note: %s\n", note.str().c_str());
    return success();
  });
}

} // namespace edgec
