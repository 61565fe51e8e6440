//===- StackUsage.cpp - the deepest stack a model's run can use -----------===//
#include "compiler/StackUsage.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/InstrTypes.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Object/ObjectFile.h"

#include <algorithm>
#include <functional>
#include <optional>

namespace edgec {

void addCalls(const llvm::Module &module, StackFrames &frames) {
  for (const llvm::Function &f : module) {
    if (f.isDeclaration())
      continue;
    FunctionFrame &frame = frames[f.getName().str()];
    frame.defined = true;
    for (const llvm::BasicBlock &block : f)
      for (const llvm::Instruction &inst : block) {
        auto *call = llvm::dyn_cast<llvm::CallBase>(&inst);
        if (!call)
          continue;
        const llvm::Function *callee = call->getCalledFunction();
        if (!callee) {
          frame.indirectCalls |= !call->isInlineAsm();
          continue;
        }
        // Intrinsics become instructions, or calls (memcpy) that the
        // objects' relocations show (undefinedReferences).
        if (!callee->isIntrinsic())
          frame.callees.insert(callee->getName().str());
      }
  }
}

/// A symbol's flags and name, or nothing for one LLVM cannot read.
static std::optional<std::pair<uint32_t, llvm::StringRef>> symbolInfo(const llvm::object::SymbolRef &symbol) {
  auto flags = symbol.getFlags();
  auto name = symbol.getName();
  if (flags && name)
    return std::make_pair(*flags, *name);
  if (!flags)
    llvm::consumeError(flags.takeError());
  if (!name)
    llvm::consumeError(name.takeError());
  return std::nullopt;
}

bool undefinedReferences(llvm::ArrayRef<std::string> objects,
                         std::map<std::string, std::set<std::string>> &out, std::string &error) {
  std::vector<std::unique_ptr<llvm::object::ObjectFile>> files;
  std::set<std::string> defined, undefined;
  for (const std::string &bytes : objects) {
    auto file = llvm::object::ObjectFile::createObjectFile(llvm::MemoryBufferRef(bytes, "model.o"));
    if (!file)
      return error = "cannot read the emitted object: " + llvm::toString(file.takeError()), false;
    for (const llvm::object::SymbolRef &symbol : (*file)->symbols())
      if (auto info = symbolInfo(symbol); info && !info->second.empty())
        (info->first & llvm::object::SymbolRef::SF_Undefined ? undefined : defined).insert(info->second.str());
    files.push_back(std::move(*file));
  }
  for (const std::string &name : undefined)
    if (!defined.count(name))
      out[""].insert(name);
  for (const auto &file : files) {
    // The functions each section holds, by their symbols (a section's name
    // need not say). Calls from a section holding several, or none, are
    // given to all of them, or to every function of the object.
    std::map<uint64_t, std::vector<std::string>> functionsIn;
    std::vector<std::string> allFunctions;
    for (const llvm::object::SymbolRef &symbol : file->symbols()) {
      auto type = symbol.getType();
      auto section = symbol.getSection();
      auto info = symbolInfo(symbol);
      if (!type || !section || !info || *type != llvm::object::SymbolRef::ST_Function ||
          *section == file->section_end()) {
        if (!type)
          llvm::consumeError(type.takeError());
        if (!section)
          llvm::consumeError(section.takeError());
        continue;
      }
      functionsIn[(*section)->getIndex()].push_back(info->second.str());
      allFunctions.push_back(info->second.str());
    }
    for (const llvm::object::SectionRef &relocations : file->sections()) {
      auto section = relocations.getRelocatedSection();
      if (!section) {
        llvm::consumeError(section.takeError());
        continue;
      }
      if (*section == file->section_end() || !(*section)->isText())
        continue;
      std::set<std::string> called;
      for (const llvm::object::RelocationRef &r : relocations.relocations()) {
        auto symbol = r.getSymbol();
        if (symbol == file->symbol_end())
          continue;
        if (auto info = symbolInfo(*symbol); info && out[""].count(info->second.str()))
          called.insert(info->second.str());
      }
      auto holders = functionsIn.find((*section)->getIndex());
      for (const std::string &function : holders != functionsIn.end() ? holders->second : allFunctions)
        out[function].insert(called.begin(), called.end());
    }
  }
  return true;
}

bool addFrames(llvm::StringRef stackUsage, StackFrames &frames, std::string &error) {
  llvm::SmallVector<llvm::StringRef, 0> lines;
  stackUsage.split(lines, '\n', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef line : lines) {
    llvm::SmallVector<llvm::StringRef, 3> fields;
    line.split(fields, '\t');
    uint64_t bytes = 0;
    // The location comes first, its last ':' before the function's name
    // (edgec's symbols have no ':').
    size_t colon = fields.size() == 3 ? fields[0].rfind(':') : llvm::StringRef::npos;
    if (colon == llvm::StringRef::npos || fields[1].getAsInteger(10, bytes)) {
      error = ("cannot read the stack usage line '" + line + "'").str();
      return false;
    }
    FunctionFrame &frame = frames[fields[0].substr(colon + 1).str()];
    frame.frameKnown = true;
    frame.frameBytes = bytes;
    frame.dynamic = fields[2].starts_with("dynamic");
  }
  return true;
}

StackBound worstStack(const StackFrames &frames, llvm::ArrayRef<std::string> entries, const StackCosts &costs) {
  StackBound out;
  out.libraryBytes = costs.libraryCall;
  auto cost = [&](const FunctionFrame &frame) {
    return costs.perCall + frame.frameBytes + (frame.frameBytes ? costs.realignment : 0);
  };
  // Functions the code generator made (outlined sequences) have frames but
  // no calls to them in the IR: the deepest chain may hold one of them.
  uint64_t madeByCodegen = 0;
  for (const auto &[name, frame] : frames)
    if (frame.frameKnown && !frame.defined)
      madeByCodegen = std::max(madeByCodegen, cost(frame));

  // Depth-first from each entry, memoised: depth[f] is the deepest stack
  // below f's caller, next[f] the callee on that chain ("" at the end).
  std::map<std::string, uint64_t> depth;
  std::map<std::string, std::string> next;
  std::set<std::string> active;
  std::function<bool(const std::string &)> visit = [&](const std::string &name) -> bool {
    if (depth.count(name))
      return true;
    auto it = frames.find(name);
    if (it == frames.end() || !it->second.defined) {
      out.libraryCalls.insert(name);
      depth[name] = costs.libraryCall;
      return true;
    }
    const FunctionFrame &frame = it->second;
    if (!frame.frameKnown)
      return out.unboundedReason = "the code generator reported no frame for '" + name + "'", false;
    if (frame.dynamic)
      return out.unboundedReason = "'" + name + "' has a frame sized at run time", false;
    if (frame.indirectCalls)
      return out.unboundedReason = "'" + name + "' calls through a pointer", false;
    if (!active.insert(name).second)
      return out.unboundedReason = "'" + name + "' is recursive", false;
    uint64_t deepest = 0;
    std::string deepestCallee;
    for (const std::string &callee : frame.callees) {
      if (!visit(callee))
        return false;
      if (depth[callee] > deepest || deepestCallee.empty()) {
        deepest = std::max(deepest, depth[callee]);
        deepestCallee = callee;
      }
    }
    active.erase(name);
    depth[name] = cost(frame) + deepest;
    next[name] = deepestCallee;
    return true;
  };

  std::string deepestEntry;
  for (const std::string &entry : entries) {
    auto it = frames.find(entry);
    if (it == frames.end() || !it->second.defined)
      return out.unboundedReason = "the entry point '" + entry + "' is not in the generated code", out;
    if (!visit(entry))
      return out;
    if (deepestEntry.empty() || depth[entry] > depth[deepestEntry])
      deepestEntry = entry;
  }
  out.bounded = true;
  out.bytes = deepestEntry.empty() ? 0 : depth[deepestEntry] + madeByCodegen + costs.belowLeaf;
  for (std::string f = deepestEntry; !f.empty(); f = next.count(f) ? next[f] : "")
    out.path.push_back(f);
  return out;
}

} // namespace edgec
