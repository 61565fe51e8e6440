//===- Probe.cpp - run a model in-process and read its tensors ------------===//
#include "compiler/quantize/Probe.h"

#include "compiler/Artifact.h"
#include "compiler/Pipeline.h"
#include "targets/TargetInfo.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"

#include <chrono>
#include <cstring>

using namespace mlir;

namespace edgec {

std::vector<InputSpec> inputSpecs(ModuleOp module) {
  std::vector<InputSpec> inputs;
  for (const TensorInfo &t : describeGraph(module).inputs)
    inputs.push_back({t.name, t.shape, t.dtype, t.bytes});
  return inputs;
}

FailureOr<std::unique_ptr<Probe>> Probe::build(ModuleOp module, ArrayRef<Value> values, StringRef what) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Probe> probe(new Probe());
  IRMapping mapping;
  OwningOpRef<ModuleOp> copy(llvm::cast<ModuleOp>(module->clone(mapping)));
  auto main = copy->lookupSymbol<func::FuncOp>("main");
  if (!main)
    return module.emitError("no @main function"), failure();
  auto ret = llvm::cast<func::ReturnOp>(main.getBody().front().getTerminator());
  SmallVector<Value> results(ret.getOperands());
  probe->firstProbed = results.size();
  for (Value v : values)
    results.push_back(mapping.lookup(v));
  ret->setOperands(results);
  main.setType(FunctionType::get(module.getContext(), main.getArgumentTypes(), ValueRange(results).getTypes()));
  main.removeResAttrsAttr();
  // Lowering rewrites the copy in place: size the buffers first.
  for (Type t : ValueRange(results).getTypes()) {
    auto rt = llvm::cast<RankedTensorType>(t);
    probe->probedElements.push_back(rt.getNumElements());
    probe->outputs.emplace_back(rt.getNumElements() * std::max<int64_t>(1, rt.getElementTypeBitWidth() / 8));
  }
  for (const InputSpec &in : inputSpecs(module))
    probe->inputs.emplace_back(in.bytes);
  CompileOptions options;
  options.name = "edgec_probe";
  options.optLevel = 2;
  auto compiled = compileToObject(*copy, *lookupTarget("host"), options);
  if (failed(compiled))
    return module.emitError(what) << " does not compile for the host", failure();
  auto jit = HostJit::load(compiled->objects, options.name + "_run_packed");
  if (!jit)
    return module.emitError("cannot load the host code of ") << what << ": " << llvm::toString(jit.takeError()),
           failure();
  probe->jit = std::move(*jit);
  probe->arena = std::make_unique<Buffer>(compiled->arenaBytes);
  for (Buffer &b : probe->inputs)
    probe->inputPointers.push_back(b.data());
  for (Buffer &b : probe->outputs)
    probe->outputPointers.push_back(b.data());
  probe->compileSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return probe;
}

LogicalResult Probe::run(const Sample &sample, Location loc) {
  for (size_t k = 0; k < inputs.size(); ++k)
    std::memcpy(inputs[k].data(), sample.inputs[k].data(), sample.inputs[k].size());
  if (int rc = jit->run(inputPointers.data(), outputPointers.data(), arena->data()))
    return emitError(loc) << "the model returned " << rc << " on " << sample.origin;
  return success();
}

ArrayRef<float> Probe::tensor(size_t i) const {
  size_t k = firstProbed + i;
  return {static_cast<const float *>(outputPointers[k]), static_cast<size_t>(probedElements[k])};
}

} // namespace edgec
