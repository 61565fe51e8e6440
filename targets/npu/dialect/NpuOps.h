//===- NpuOps.h - edgec npu dialect -----------------------------*- C++ -*-===//
#ifndef EDGEC_TARGETS_NPU_DIALECT_NPUOPS_H
#define EDGEC_TARGETS_NPU_DIALECT_NPUOPS_H

// ODS output needs these before it is included.
#include "mlir/IR/Builders.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "targets/npu/dialect/NpuDialect.h.inc"

#define GET_OP_CLASSES
#include "targets/npu/dialect/NpuOps.h.inc"

namespace mlir {
class DialectRegistry;
}

namespace edgec::npu {
/// npu.submit's bufferisation (one-shot-bufferize): its outputs are written
/// in place of their buffers, its other operands only read.
void registerBufferizableOpInterfaceExternalModels(mlir::DialectRegistry &registry);
} // namespace edgec::npu

#endif // EDGEC_TARGETS_NPU_DIALECT_NPUOPS_H
