//===- OnnxInfo.cpp - what an ONNX file holds, without importing it -------===//
#include "compiler/onnx/OnnxInfo.h"
#include "compiler/onnx/NodeContext.h"
#include "compiler/onnx/OnnxImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/MemoryBuffer.h"

#include <onnx/onnx_pb.h>

#include <map>

namespace edgec::onnx_import {

static void countOps(const onnx::GraphProto &graph, OnnxModelInfo &info,
                     std::map<std::string, size_t> &index) {
  info.initializers += graph.initializer_size();
  for (const onnx::NodeProto &node : graph.node()) {
    ++info.nodes;
    std::string key = node.domain() + "::" + node.op_type();
    auto [it, added] = index.try_emplace(key, info.ops.size());
    if (added) {
      OnnxOpUse use;
      use.opType = node.op_type();
      use.domain = node.domain() == "ai.onnx" ? "" : node.domain();
      use.firstNode = node.name();
      // The importer's own test (a model without an opset: it says so).
      use.supported = importsNode(node, info.opset > 0 ? info.opset : kTargetOpset);
      info.ops.push_back(use);
    }
    ++info.ops[it->second].count;
    for (const onnx::AttributeProto &a : node.attribute()) {
      if (a.has_g())
        countOps(a.g(), info, index);
      for (const onnx::GraphProto &g : a.graphs())
        countOps(g, info, index);
    }
  }
}

mlir::LogicalResult readOnnxInfo(const std::string &path, mlir::MLIRContext &context,
                                 OnnxModelInfo &info) {
  mlir::Location loc = mlir::FileLineColLoc::get(&context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return mlir::emitError(loc) << "cannot open: " << buffer.getError().message();
  onnx::ModelProto model;
  if ((*buffer)->getBufferSize() == 0)
    return mlir::emitError(loc) << "file is empty, not an ONNX model";
  if (!model.ParseFromArray((*buffer)->getBufferStart(), static_cast<int>((*buffer)->getBufferSize())) ||
      !model.has_graph() || model.ir_version() <= 0)
    return mlir::emitError(loc) << "not an ONNX model: the protobuf is truncated or corrupt, or has no graph";
  info.irVersion = model.ir_version();
  info.producer = model.producer_name() + (model.producer_version().empty() ? "" : " " + model.producer_version());
  info.graphName = model.graph().name();
  for (const auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      info.opset = o.version();
  // Op types as the file has them: ONNX's converter (which would rename an
  // opset-9 Upsample a Resize) runs only in the import, on ops edgec takes.
  info.converted = info.opset > 0 && info.opset < kTargetOpset;
  std::map<std::string, size_t> index;
  countOps(model.graph(), info, index);
  return mlir::success();
}

} // namespace edgec::onnx_import
