//===- ImporterOpsTest.cpp - every op of the importer's table, round-tripped ===//
//
// For each ONNX op in the op table: build a tiny model with the onnx protobuf
// API, import it, check the graph op it becomes and its result type (the
// expected shapes are the ONNX operator spec's, worked out in the comments),
// then print and re-parse the module and require identical text.
// A final case checks that no table entry is left without a test here.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/NodeContext.h"
#include "compiler/onnx/OnnxImporter.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"

#include <catch2/catch.hpp>

#include <functional>
#include <set>

using namespace edgec::onnx_import;

namespace {

/// Builds a ModelProto of one graph at opset 17.
struct ModelBuilder {
  onnx::ModelProto model;
  onnx::GraphProto *graph;

  ModelBuilder() {
    model.set_ir_version(8);
    auto *opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(17);
    graph = model.mutable_graph();
    graph->set_name("test");
  }

  static void setType(onnx::ValueInfoProto *vi, const std::vector<int64_t> &shape, int type) {
    auto *t = vi->mutable_type()->mutable_tensor_type();
    t->set_elem_type(type);
    auto *s = t->mutable_shape();
    for (int64_t d : shape)
      s->add_dim()->set_dim_value(d);
  }

  ModelBuilder &input(const std::string &name, std::vector<int64_t> shape,
                      int type = onnx::TensorProto::FLOAT) {
    auto *vi = graph->add_input();
    vi->set_name(name);
    setType(vi, shape, type);
    return *this;
  }

  ModelBuilder &output(const std::string &name, int type = onnx::TensorProto::FLOAT) {
    auto *vi = graph->add_output();
    vi->set_name(name);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(type);
    return *this;
  }

  ModelBuilder &floats(const std::string &name, std::vector<int64_t> shape,
                       std::vector<float> values = {}) {
    auto *t = graph->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : shape) {
      t->add_dims(d);
      n *= d;
    }
    if (values.empty())
      for (int64_t i = 0; i < n; ++i)
        values.push_back(0.01f * static_cast<float>(i % 17));
    for (float v : values)
      t->add_float_data(v);
    return *this;
  }

  ModelBuilder &ints(const std::string &name, std::vector<int64_t> values,
                     int type = onnx::TensorProto::INT64, bool scalar = false) {
    auto *t = graph->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    if (!scalar)
      t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) {
      if (type == onnx::TensorProto::INT64)
        t->add_int64_data(v);
      else
        t->add_int32_data(static_cast<int32_t>(v));
    }
    return *this;
  }

  onnx::NodeProto &node(const std::string &op, std::vector<std::string> inputs,
                        std::vector<std::string> outputs) {
    auto *n = graph->add_node();
    n->set_op_type(op);
    n->set_name(op + "_0");
    for (auto &i : inputs)
      n->add_input(i);
    for (auto &o : outputs)
      n->add_output(o);
    return *n;
  }
};

void attrInt(onnx::NodeProto &n, const std::string &name, int64_t v) {
  auto *a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void attrFloat(onnx::NodeProto &n, const std::string &name, float v) {
  auto *a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
void attrInts(onnx::NodeProto &n, const std::string &name, std::vector<int64_t> v) {
  auto *a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v)
    a->add_ints(x);
}
void attrString(onnx::NodeProto &n, const std::string &name, const std::string &v) {
  auto *a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}
void attrTensor(onnx::NodeProto &n, const std::string &name, float v) {
  auto *a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::TENSOR);
  auto *t = a->mutable_t();
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(1);
  t->add_float_data(v);
}

struct OpCase {
  std::string onnxOp;
  std::function<void(ModelBuilder &)> build;
  std::string graphOp;      // op expected in the imported function
  std::string resultType;   // type of the function's first result
};

/// Unary float op on a [2, 3] input.
OpCase unaryCase(const std::string &op, const std::string &graphOp) {
  return {op,
          [op](ModelBuilder &m) {
            m.input("x", {2, 3}).output("y");
            m.node(op, {"x"}, {"y"});
          },
          graphOp, "tensor<2x3xf32>"};
}

/// Binary op of [2, 3] and [3] (broadcast) -> [2, 3].
OpCase binaryCase(const std::string &op, const std::string &graphOp,
                  const std::string &resultType = "tensor<2x3xf32>") {
  return {op,
          [op](ModelBuilder &m) {
            m.input("a", {2, 3}).input("b", {3}).output(
                "y", op == "Equal" ? onnx::TensorProto::BOOL : onnx::TensorProto::FLOAT);
            m.node(op, {"a", "b"}, {"y"});
          },
          graphOp, resultType};
}

std::vector<OpCase> cases() {
  std::vector<OpCase> c;
  for (auto [op, g] : std::vector<std::pair<std::string, std::string>>{
           {"Abs", "graph.abs"}, {"Erf", "graph.erf"}, {"Exp", "graph.exp"},
           {"HardSwish", "graph.hard_swish"}, {"Log", "graph.log"}, {"Neg", "graph.neg"},
           {"Relu", "graph.relu"}, {"Sigmoid", "graph.sigmoid"}, {"Sqrt", "graph.sqrt"},
           {"Tanh", "graph.tanh"}, {"LeakyRelu", "graph.leaky_relu"},
           {"HardSigmoid", "graph.hard_sigmoid"}, {"Softmax", "graph.softmax"},
           {"LogSoftmax", "graph.log_softmax"},
           {"Floor", "graph.floor"}, {"Ceil", "graph.ceil"}, {"Round", "graph.round"},
           {"Reciprocal", "graph.reciprocal"}, {"Sign", "graph.sign"}, {"Sin", "graph.sin"},
           {"Cos", "graph.cos"}, {"Softplus", "graph.softplus"}, {"Softsign", "graph.softsign"},
           {"Elu", "graph.elu"}, {"Celu", "graph.celu"}, {"Selu", "graph.selu"},
           {"ThresholdedRelu", "graph.thresholded_relu"}, {"Tan", "graph.tan"}, {"Asin", "graph.asin"},
           {"Acos", "graph.acos"}, {"Atan", "graph.atan"}, {"Sinh", "graph.sinh"}, {"Cosh", "graph.cosh"},
           {"Asinh", "graph.asinh"}, {"Acosh", "graph.acosh"}, {"Atanh", "graph.atanh"}})
    c.push_back(unaryCase(op, g));
  c.push_back({"Mod", [](ModelBuilder &m) {
                 m.input("a", {2, 3}, onnx::TensorProto::INT32).input("b", {3}, onnx::TensorProto::INT32)
                     .output("y", onnx::TensorProto::INT32);
                 m.node("Mod", {"a", "b"}, {"y"});
               },
               "graph.mod", "tensor<2x3xi32>"});
  c.push_back({"Mod", [](ModelBuilder &m) { // fmod = 1: the dividend's sign
                 m.input("a", {2, 3}).input("b", {3}).output("y");
                 attrInt(m.node("Mod", {"a", "b"}, {"y"}), "fmod", 1);
               },
               "graph.fmod", "tensor<2x3xf32>"});
  c.push_back({"BitShift", [](ModelBuilder &m) {
                 m.input("a", {3}, onnx::TensorProto::UINT8).input("b", {3}, onnx::TensorProto::UINT8)
                     .output("y", onnx::TensorProto::UINT8);
                 attrString(m.node("BitShift", {"a", "b"}, {"y"}), "direction", "RIGHT");
               },
               "graph.shift_right", "tensor<3xui8>"});
  c.push_back({"IsNaN", [](ModelBuilder &m) {
                 m.input("x", {2, 3}).output("y", onnx::TensorProto::BOOL);
                 m.node("IsNaN", {"x"}, {"y"});
               },
               "graph.not", "tensor<2x3xi1>"});
  c.push_back({"IsInf", [](ModelBuilder &m) {
                 m.input("x", {2, 3}).output("y", onnx::TensorProto::BOOL);
                 attrInt(m.node("IsInf", {"x"}, {"y"}), "detect_negative", 0);
               },
               "graph.equal", "tensor<2x3xi1>"});
  for (auto [op, g] : std::vector<std::pair<std::string, std::string>>{
           {"Add", "graph.add"}, {"Sub", "graph.sub"}, {"Mul", "graph.mul"},
           {"Div", "graph.div"}, {"Pow", "graph.pow"}, {"Max", "graph.max"},
           {"Min", "graph.min"}, {"Sum", "graph.add"}})
    c.push_back(binaryCase(op, g));
  c.push_back(binaryCase("Equal", "graph.equal", "tensor<2x3xi1>"));
  for (auto [op, g] : std::vector<std::pair<std::string, std::string>>{
           {"Less", "graph.less"}, {"LessOrEqual", "graph.less_or_equal"},
           {"Greater", "graph.greater"}, {"GreaterOrEqual", "graph.greater_or_equal"}})
    c.push_back({op, [op = op](ModelBuilder &m) {
                   m.input("a", {2, 3}).input("b", {3}).output("y", onnx::TensorProto::BOOL);
                   m.node(op, {"a", "b"}, {"y"});
                 },
                 g, "tensor<2x3xi1>"});
  for (auto [op, g] : std::vector<std::pair<std::string, std::string>>{
           {"And", "graph.and"}, {"Or", "graph.or"}, {"Xor", "graph.xor"}})
    c.push_back({op, [op = op](ModelBuilder &m) {
                   m.input("a", {2, 3}, onnx::TensorProto::BOOL).input("b", {3}, onnx::TensorProto::BOOL);
                   m.output("y", onnx::TensorProto::BOOL);
                   m.node(op, {"a", "b"}, {"y"});
                 },
                 g, "tensor<2x3xi1>"});
  c.push_back({"Not", [](ModelBuilder &m) {
                 m.input("a", {2, 3}, onnx::TensorProto::BOOL).output("y", onnx::TensorProto::BOOL);
                 m.node("Not", {"a"}, {"y"});
               },
               "graph.not", "tensor<2x3xi1>"});
  c.push_back(binaryCase("PRelu", "graph.prelu"));
  c.push_back({"Where", [](ModelBuilder &m) {
                 // [3] condition, [2, 1] and [1] values -> [2, 3]
                 m.input("c", {3}, onnx::TensorProto::BOOL).input("a", {2, 1}).input("b", {1});
                 m.output("y");
                 m.node("Where", {"c", "a", "b"}, {"y"});
               },
               "graph.where", "tensor<2x3xf32>"});
  c.push_back({"Expand", [](ModelBuilder &m) {
                 // [3, 1] to shape [2, 1, 4] -> [2, 3, 4] (both sides broadcast)
                 m.input("x", {3, 1}).ints("s", {2, 1, 4}).output("y");
                 m.node("Expand", {"x", "s"}, {"y"});
               },
               "graph.where", "tensor<2x3x4xf32>"});
  c.push_back(binaryCase("MatMul", "graph.matmul", "")); // set below
  c.back().build = [](ModelBuilder &m) {
    // [2, 3, 4] x [4, 5] -> [2, 3, 5]
    m.input("a", {2, 3, 4}).floats("b", {4, 5}).output("y");
    m.node("MatMul", {"a", "b"}, {"y"});
  };
  c.back().resultType = "tensor<2x3x5xf32>";

  c.push_back({"Clip", [](ModelBuilder &m) {
                 m.input("x", {2, 3}).floats("lo", {}, {0.0f}).floats("hi", {}, {6.0f}).output("y");
                 m.node("Clip", {"x", "lo", "hi"}, {"y"});
               },
               "graph.clip", "tensor<2x3xf32>"});
  c.push_back({"Cast", [](ModelBuilder &m) {
                 m.input("x", {2, 3}).output("y", onnx::TensorProto::INT32);
                 attrInt(m.node("Cast", {"x"}, {"y"}), "to", onnx::TensorProto::INT32);
               },
               "graph.cast", "tensor<2x3xi32>"});
  c.push_back({"CastLike", [](ModelBuilder &m) {
                 m.input("x", {2, 3}).input("like", {1}, onnx::TensorProto::INT32).output("y", onnx::TensorProto::INT32);
                 m.node("CastLike", {"x", "like"}, {"y"});
               },
               "graph.cast", "tensor<2x3xi32>"});
  c.push_back({"Gemm", [](ModelBuilder &m) {
                 // A [4, 3] x B^T ([5, 3]) + C [5] -> [4, 5]
                 m.input("a", {4, 3}).floats("b", {5, 3}).floats("c", {5}).output("y");
                 attrInt(m.node("Gemm", {"a", "b", "c"}, {"y"}), "transB", 1);
               },
               "graph.gemm", "tensor<4x5xf32>"});
  c.push_back({"Conv", [](ModelBuilder &m) {
                 // [1, 3, 8, 8] * [4, 3, 3, 3], SAME_UPPER, stride 2 -> ceil(8/2) = 4
                 m.input("x", {1, 3, 8, 8}).floats("w", {4, 3, 3, 3}).floats("b", {4}).output("y");
                 auto &n = m.node("Conv", {"x", "w", "b"}, {"y"});
                 attrString(n, "auto_pad", "SAME_UPPER");
                 attrInts(n, "strides", {2, 2});
               },
               "graph.conv", "tensor<1x4x4x4xf32>"});
  c.push_back({"BatchNormalization", [](ModelBuilder &m) {
                 m.input("x", {1, 2, 4, 4}).floats("s", {2}).floats("b", {2}).floats("m", {2});
                 m.floats("v", {2}, {1.0f, 2.0f}).output("y");
                 m.node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"y"});
               },
               "graph.batch_norm", "tensor<1x2x4x4xf32>"});
  c.push_back({"LayerNormalization", [](ModelBuilder &m) {
                 // over the last two dims; y = (x - mean) * inv_std * s + b
                 m.input("x", {2, 3, 4}).floats("s", {3, 4}).floats("b", {3, 4}).output("y");
                 attrInt(m.node("LayerNormalization", {"x", "s", "b"}, {"y"}), "axis", -2);
               },
               "graph.add", "tensor<2x3x4xf32>"});
  c.push_back({"InstanceNormalization", [](ModelBuilder &m) {
                 m.input("x", {1, 2, 4, 4}).floats("s", {2}).floats("b", {2}).output("y");
                 m.node("InstanceNormalization", {"x", "s", "b"}, {"y"});
               },
               "graph.add", "tensor<1x2x4x4xf32>"});
  c.push_back({"MeanVarianceNormalization", [](ModelBuilder &m) {
                 m.input("x", {1, 2, 4, 4}).output("y");
                 m.node("MeanVarianceNormalization", {"x"}, {"y"});
               },
               "graph.div", "tensor<1x2x4x4xf32>"});
  c.push_back({"LSTM", [](ModelBuilder &m) {
                 // X [5, 1, 3], hidden 2: Y [5, 1, 1, 2]
                 m.input("x", {5, 1, 3}).floats("w", {1, 8, 3}).floats("r", {1, 8, 2});
                 m.floats("b", {1, 16}).output("y");
                 attrInt(m.node("LSTM", {"x", "w", "r", "b"}, {"y"}), "hidden_size", 2);
               },
               "graph.lstm", "tensor<5x1x1x2xf32>"});
  c.push_back({"LSTM", [](ModelBuilder &m) { // clip: unrolled into graph ops
                 m.input("x", {5, 1, 3}).floats("w", {1, 8, 3}).floats("r", {1, 8, 2}).output("y");
                 auto &n = m.node("LSTM", {"x", "w", "r"}, {"y"});
                 attrInt(n, "hidden_size", 2);
                 attrFloat(n, "clip", 1.0f);
               },
               "graph.clip", "tensor<5x1x1x2xf32>"});
  c.push_back({"GRU", [](ModelBuilder &m) {
                 // X [4, 2, 3], hidden 5, bidirectional: Y [4, 2, 2, 5]
                 m.input("x", {4, 2, 3}).floats("w", {2, 15, 3}).floats("r", {2, 15, 5});
                 m.floats("b", {2, 30}).output("y");
                 auto &n = m.node("GRU", {"x", "w", "r", "b"}, {"y"});
                 attrInt(n, "hidden_size", 5);
                 attrString(n, "direction", "bidirectional");
               },
               "graph.sigmoid", "tensor<4x2x2x5xf32>"});
  c.push_back({"RNN", [](ModelBuilder &m) {
                 // X [3, 1, 2], hidden 4, sequence_lens [2]: Y [3, 1, 1, 4]
                 m.input("x", {3, 1, 2}).floats("w", {1, 4, 2}).floats("r", {1, 4, 4});
                 m.ints("l", {2}, onnx::TensorProto::INT32).output("y");
                 attrInt(m.node("RNN", {"x", "w", "r", "", "l"}, {"y"}), "hidden_size", 4);
               },
               "graph.tanh", "tensor<3x1x1x4xf32>"});
  c.push_back({"MaxPool", [](ModelBuilder &m) {
                 // (9 + 2 - 3) / 2 + 1 = 5
                 m.input("x", {1, 2, 9, 9}).output("y");
                 auto &n = m.node("MaxPool", {"x"}, {"y"});
                 attrInts(n, "kernel_shape", {3, 3});
                 attrInts(n, "strides", {2, 2});
                 attrInts(n, "pads", {1, 1, 1, 1});
               },
               "graph.max_pool", "tensor<1x2x5x5xf32>"});
  c.push_back({"AveragePool", [](ModelBuilder &m) {
                 // ceil((9 - 2) / 2) + 1 = 5 with ceil_mode
                 m.input("x", {1, 2, 9, 9}).output("y");
                 auto &n = m.node("AveragePool", {"x"}, {"y"});
                 attrInts(n, "kernel_shape", {2, 2});
                 attrInts(n, "strides", {2, 2});
                 attrInt(n, "ceil_mode", 1);
               },
               "graph.average_pool", "tensor<1x2x5x5xf32>"});
  c.push_back({"GlobalAveragePool", [](ModelBuilder &m) {
                 m.input("x", {1, 2, 9, 9}).output("y");
                 m.node("GlobalAveragePool", {"x"}, {"y"});
               },
               "graph.global_average_pool", "tensor<1x2x1x1xf32>"});
  c.push_back({"ArgMax", [](ModelBuilder &m) {
                 m.input("x", {2, 3, 4}).output("y", onnx::TensorProto::INT64);
                 attrInt(m.node("ArgMax", {"x"}, {"y"}), "axis", -1);
               },
               "graph.arg_max", "tensor<2x3x1xi64>"});
  c.push_back({"ArgMin", [](ModelBuilder &m) {
                 m.input("x", {2, 3, 4}).output("y", onnx::TensorProto::INT64);
                 auto &n = m.node("ArgMin", {"x"}, {"y"});
                 attrInt(n, "axis", 1);
                 attrInt(n, "keepdims", 0);
               },
               "graph.arg_min", "tensor<2x4xi64>"});
  c.push_back({"CumSum", [](ModelBuilder &m) {
                 m.input("x", {3, 4}).ints("a", {0}).output("y");
                 m.node("CumSum", {"x", "a"}, {"y"});
               },
               "graph.cumsum", "tensor<3x4xf32>"});
  c.push_back({"GlobalMaxPool", [](ModelBuilder &m) {
                 m.input("x", {1, 2, 9, 9}).output("y");
                 m.node("GlobalMaxPool", {"x"}, {"y"});
               },
               "graph.reduce_max", "tensor<1x2x1x1xf32>"});
  c.push_back({"Mean", [](ModelBuilder &m) {
                 // (a + b + a) / 3, broadcast to [2, 3]
                 m.input("a", {2, 3}).input("b", {3}).output("y");
                 m.node("Mean", {"a", "b", "a"}, {"y"});
               },
               "graph.div", "tensor<2x3xf32>"});
  for (auto [op, g] : std::vector<std::pair<std::string, std::string>>{
           {"ReduceMean", "graph.reduce_mean"}, {"ReduceMax", "graph.reduce_max"},
           {"ReduceMin", "graph.reduce_min"}, {"ReduceProd", "graph.reduce_prod"},
           {"ReduceSumSquare", "graph.reduce_sum_square"}, {"ReduceL1", "graph.reduce_l1"},
           {"ReduceL2", "graph.reduce_l2"}, {"ReduceLogSum", "graph.reduce_log_sum"},
           {"ReduceLogSumExp", "graph.reduce_log_sum_exp"}})
    c.push_back({op, [op = op](ModelBuilder &m) {
                   m.input("x", {2, 3, 4}).output("y");
                   attrInts(m.node(op, {"x"}, {"y"}), "axes", {-1});
                 },
                 g, "tensor<2x3x1xf32>"});
  c.push_back({"ReduceSum", [](ModelBuilder &m) {
                 m.input("x", {2, 3, 4}).ints("axes", {0, 2}).output("y");
                 attrInt(m.node("ReduceSum", {"x", "axes"}, {"y"}), "keepdims", 0);
               },
               "graph.reduce_sum", "tensor<3xf32>"});
  c.push_back({"Concat", [](ModelBuilder &m) {
                 m.input("a", {2, 3}).input("b", {2, 5}).output("y");
                 attrInt(m.node("Concat", {"a", "b"}, {"y"}), "axis", -1);
               },
               "graph.concat", "tensor<2x8xf32>"});
  c.push_back({"Flatten", [](ModelBuilder &m) {
                 m.input("x", {2, 3, 4}).output("y");
                 attrInt(m.node("Flatten", {"x"}, {"y"}), "axis", 2);
               },
               "graph.flatten", "tensor<6x4xf32>"});
  c.push_back({"Gather", [](ModelBuilder &m) {
                 // data [5, 3], indices [2, 2] on axis 0 -> [2, 2, 3]
                 m.input("x", {5, 3}).input("i", {2, 2}, onnx::TensorProto::INT64).output("y");
                 m.node("Gather", {"x", "i"}, {"y"});
               },
               "graph.gather", "tensor<2x2x3xf32>"});
  c.push_back({"GatherElements", [](ModelBuilder &m) {
                 // data [3, 4], indices [2, 4] on axis 0 -> [2, 4]
                 m.input("x", {3, 4}).input("i", {2, 4}, onnx::TensorProto::INT64).output("y");
                 m.node("GatherElements", {"x", "i"}, {"y"});
               },
               "graph.gather_elements", "tensor<2x4xf32>"});
  c.push_back({"Einsum", [](ModelBuilder &m) {
                 // batched matmul: [2, 3, 4] x [2, 4, 5] -> [2, 3, 5]
                 m.input("a", {2, 3, 4}).input("b", {2, 4, 5}).output("y");
                 attrString(m.node("Einsum", {"a", "b"}, {"y"}), "equation", "bij,bjk->bik");
               },
               "graph.matmul", "tensor<2x3x5xf32>"});
  c.push_back({"ReverseSequence", [](ModelBuilder &m) {
                 m.input("x", {4, 3, 2}).ints("l", {4, 2, 1}).output("y");
                 m.node("ReverseSequence", {"x", "l"}, {"y"});
               },
               "graph.gather", "tensor<4x3x2xf32>"});
  c.push_back({"LRN", [](ModelBuilder &m) {
                 m.input("x", {1, 5, 3, 3}).output("y");
                 attrInt(m.node("LRN", {"x"}, {"y"}), "size", 3);
               },
               "graph.conv", "tensor<1x5x3x3xf32>"});
  c.push_back({"Det", [](ModelBuilder &m) {
                 m.input("x", {4, 3, 3}).output("y");
                 m.node("Det", {"x"}, {"y"});
               },
               "graph.mul", "tensor<4xf32>"});
  c.push_back({"MaxUnpool", [](ModelBuilder &m) {
                 m.input("x", {1, 1, 2, 2}).input("i", {1, 1, 2, 2}, onnx::TensorProto::INT64).output("y");
                 auto &n = m.node("MaxUnpool", {"x", "i"}, {"y"});
                 attrInts(n, "kernel_shape", {2, 2});
                 attrInts(n, "strides", {2, 2});
               },
               "graph.scatter_elements", "tensor<1x1x4x4xf32>"});
  c.push_back({"QuantizeLinear", [](ModelBuilder &m) { // a scale computed at run time
                 m.input("x", {2, 3}).input("s", {}).output("y", onnx::TensorProto::UINT8);
                 m.node("QuantizeLinear", {"x", "s"}, {"y"});
               },
               "graph.round", "tensor<2x3xui8>"});
  c.push_back({"DynamicQuantizeLinear", [](ModelBuilder &m) {
                 m.input("x", {2, 3}).output("y", onnx::TensorProto::UINT8);
                 m.node("DynamicQuantizeLinear", {"x"}, {"y", "s", "z"});
               },
               "graph.round", "tensor<2x3xui8>"});
  c.push_back({"MatMulInteger", [](ModelBuilder &m) {
                 m.input("a", {2, 3}, onnx::TensorProto::UINT8).input("b", {3, 4}, onnx::TensorProto::UINT8);
                 m.output("y", onnx::TensorProto::INT32);
                 m.node("MatMulInteger", {"a", "b"}, {"y"});
               },
               "graph.matmul", "tensor<2x4xi32>"});
  c.push_back({"ConvInteger", [](ModelBuilder &m) {
                 m.input("x", {1, 1, 4, 4}, onnx::TensorProto::UINT8).input("w", {2, 1, 3, 3}, onnx::TensorProto::UINT8);
                 m.output("y", onnx::TensorProto::INT32);
                 m.node("ConvInteger", {"x", "w"}, {"y"});
               },
               "graph.conv", "tensor<1x2x2x2xi32>"});
  c.push_back({"TopK", [](ModelBuilder &m) {
                 m.input("x", {2, 6}).ints("k", {3}).output("v");
                 m.node("TopK", {"x", "k"}, {"v", "i"});
               },
               "graph.top_k", "tensor<2x3xf32>"});
  c.push_back({"GatherND", [](ModelBuilder &m) {
                 // data [3, 4, 5], indices [2, 2] (pairs) -> [2, 5]
                 m.input("x", {3, 4, 5}).input("i", {2, 2}, onnx::TensorProto::INT64).output("y");
                 m.node("GatherND", {"x", "i"}, {"y"});
               },
               "graph.gather_nd", "tensor<2x5xf32>"});
  c.push_back({"ScatterElements", [](ModelBuilder &m) {
                 m.input("x", {3, 4}).input("i", {2, 4}, onnx::TensorProto::INT64).input("u", {2, 4}).output("y");
                 attrString(m.node("ScatterElements", {"x", "i", "u"}, {"y"}), "reduction", "add");
               },
               "graph.scatter_elements", "tensor<3x4xf32>"});
  c.push_back({"ScatterND", [](ModelBuilder &m) {
                 // data [4, 5], indices [3, 1] (rows) -> updates [3, 5]
                 m.input("x", {4, 5}).input("i", {3, 1}, onnx::TensorProto::INT64).input("u", {3, 5}).output("y");
                 m.node("ScatterND", {"x", "i", "u"}, {"y"});
               },
               "graph.scatter_nd", "tensor<4x5xf32>"});
  c.push_back({"NegativeLogLikelihoodLoss", [](ModelBuilder &m) {
                 // input [2, 5, 3], target [2, 3], mean -> a scalar
                 m.input("x", {2, 5, 3}).input("t", {2, 3}, onnx::TensorProto::INT64).output("y");
                 m.node("NegativeLogLikelihoodLoss", {"x", "t"}, {"y"});
               },
               "graph.div", "tensor<f32>"});
  c.push_back({"SoftmaxCrossEntropyLoss", [](ModelBuilder &m) {
                 // scores [4, 5], labels [4], reduction none -> [4]
                 m.input("x", {4, 5}).input("t", {4}, onnx::TensorProto::INT64).output("y");
                 attrString(m.node("SoftmaxCrossEntropyLoss", {"x", "t"}, {"y"}), "reduction", "none");
               },
               "graph.log_softmax", "tensor<4xf32>"});
  c.push_back({"Pad", [](ModelBuilder &m) {
                 m.input("x", {2, 3}).ints("p", {0, 1, 1, 2}).output("y");
                 m.node("Pad", {"x", "p"}, {"y"});
               },
               "graph.pad", "tensor<3x6xf32>"});
  c.push_back({"Reshape", [](ModelBuilder &m) {
                 // 0 copies dim 0, -1 takes the rest: [2, 12]
                 m.input("x", {2, 3, 4}).ints("s", {0, -1}).output("y");
                 m.node("Reshape", {"x", "s"}, {"y"});
               },
               "graph.reshape", "tensor<2x12xf32>"});
  c.push_back({"Resize", [](ModelBuilder &m) {
                 m.input("x", {1, 1, 2, 3}).floats("roi", {0}).floats("sc", {4}, {1, 1, 2, 2});
                 m.output("y");
                 m.node("Resize", {"x", "roi", "sc"}, {"y"});
               },
               "graph.resize", "tensor<1x1x4x6xf32>"});
  c.push_back({"Slice", [](ModelBuilder &m) {
                 // dim 1 of 10: start -1, end -9, step -2 -> 9, 7, 5, 3
                 m.input("x", {2, 10}).ints("s", {-1}).ints("e", {-9}).ints("a", {1});
                 m.ints("st", {-2}).output("y");
                 m.node("Slice", {"x", "s", "e", "a", "st"}, {"y"});
               },
               "graph.slice", "tensor<2x4xf32>"});
  c.push_back({"Split", [](ModelBuilder &m) {
                 // dim 1 of 10 into 3 and 7: the first output is [2, 3] (the
                 // second is not a graph output)
                 m.input("x", {2, 10}).ints("s", {3, 7}).output("y");
                 attrInt(m.node("Split", {"x", "s"}, {"y", "z"}), "axis", -1);
               },
               "graph.slice", "tensor<2x3xf32>"});
  c.push_back({"DepthToSpace", [](ModelBuilder &m) {
                 // 8 channels, blocksize 2: [1, 2, 6, 10]
                 m.input("x", {1, 8, 3, 5}).output("y");
                 attrInt(m.node("DepthToSpace", {"x"}, {"y"}), "blocksize", 2);
               },
               "graph.reshape", "tensor<1x2x6x10xf32>"});
  c.push_back({"SpaceToDepth", [](ModelBuilder &m) {
                 m.input("x", {1, 2, 6, 10}).output("y");
                 attrInt(m.node("SpaceToDepth", {"x"}, {"y"}), "blocksize", 2);
               },
               "graph.reshape", "tensor<1x8x3x5xf32>"});
  c.push_back({"Tile", [](ModelBuilder &m) {
                 m.input("x", {2, 3}).ints("r", {2, 1}).output("y");
                 m.node("Tile", {"x", "r"}, {"y"});
               },
               "graph.concat", "tensor<4x3xf32>"});
  c.push_back({"Trilu", [](ModelBuilder &m) {
                 // lower triangle of [4, 5] (k = 0): a select with a constant mask
                 m.input("x", {4, 5}).output("y");
                 attrInt(m.node("Trilu", {"x"}, {"y"}), "upper", 0);
               },
               "graph.where", "tensor<4x5xf32>"});
  c.push_back({"Shrink", [](ModelBuilder &m) {
                 m.input("x", {2, 3}).output("y");
                 attrFloat(m.node("Shrink", {"x"}, {"y"}), "bias", 0.5f);
               },
               "graph.where", "tensor<2x3xf32>"});
  c.push_back({"Squeeze", [](ModelBuilder &m) {
                 m.input("x", {1, 3, 1}).ints("a", {-1}).output("y");
                 m.node("Squeeze", {"x", "a"}, {"y"});
               },
               "graph.squeeze", "tensor<1x3xf32>"});
  c.push_back({"Unsqueeze", [](ModelBuilder &m) {
                 m.input("x", {3, 4}).ints("a", {0, -1}).output("y");
                 m.node("Unsqueeze", {"x", "a"}, {"y"});
               },
               "graph.unsqueeze", "tensor<1x3x4x1xf32>"});
  c.push_back({"Transpose", [](ModelBuilder &m) {
                 m.input("x", {2, 3, 4}).output("y");
                 m.node("Transpose", {"x"}, {"y"}); // default: reverse the dims
               },
               "graph.transpose", "tensor<4x3x2xf32>"});
  // Shape arithmetic folds to constants: the function returns a constant.
  c.push_back({"Shape", [](ModelBuilder &m) {
                 m.input("x", {2, 3, 4}).output("y", onnx::TensorProto::INT64);
                 attrInt(m.node("Shape", {"x"}, {"y"}), "start", 1);
               },
               "graph.constant", "tensor<2xi64>"});
  c.push_back({"Size", [](ModelBuilder &m) {
                 m.input("x", {2, 3, 4}).output("y", onnx::TensorProto::INT64);
                 m.node("Size", {"x"}, {"y"});
               },
               "graph.constant", "tensor<i64>"});
  c.push_back({"EyeLike", [](ModelBuilder &m) {
                 m.input("x", {3, 4}).output("y");
                 attrInt(m.node("EyeLike", {"x"}, {"y"}), "k", 1);
               },
               "graph.constant", "tensor<3x4xf32>"});
  c.push_back({"Range", [](ModelBuilder &m) {
                 // scalars 10, 0, -3: 10, 7, 4, 1
                 m.floats("s", {}, {10.0f}).floats("l", {}, {0.0f}).floats("d", {}, {-3.0f}).output("y");
                 m.node("Range", {"s", "l", "d"}, {"y"});
               },
               "graph.constant", "tensor<4xf32>"});
  c.push_back({"ConstantOfShape", [](ModelBuilder &m) {
                 m.ints("s", {2, 3}).output("y");
                 attrTensor(m.node("ConstantOfShape", {"s"}, {"y"}), "value", 1.5f);
               },
               "graph.constant", "tensor<2x3xf32>"});
  c.push_back({"Constant", [](ModelBuilder &m) {
                 m.output("y");
                 attrFloat(m.node("Constant", {}, {"y"}), "value_float", 2.0f);
               },
               "graph.constant", "tensor<f32>"});
  // Identity and Dropout forward their input.
  for (const char *op : {"Identity", "Dropout"})
    c.push_back({op, [op](ModelBuilder &m) {
                   m.input("x", {2, 3}).output("y");
                   m.node(op, {"x"}, {"y"});
                 },
                 "", "tensor<2x3xf32>"});
  c.push_back({"ConvTranspose", [](ModelBuilder &m) {
                 // [1, 2, 3, 3], weight [2, 3, 3, 3], stride 2, pads 1 -> [1, 3, 5, 5]
                 m.input("x", {1, 2, 3, 3}).floats("w", {2, 3, 3, 3}).output("y");
                 auto &n = m.node("ConvTranspose", {"x", "w"}, {"y"});
                 attrInts(n, "strides", {2, 2});
                 attrInts(n, "pads", {1, 1, 1, 1});
               },
               "graph.conv", "tensor<1x3x5x5xf32>"});
  c.push_back({"Dropout", [](ModelBuilder &m) { // the mask: all true
                 m.input("x", {2, 3}).output("y").output("mask", onnx::TensorProto::BOOL);
                 m.node("Dropout", {"x"}, {"y", "mask"});
               },
               "", "tensor<2x3xf32>"});
  for (const char *op : {"HannWindow", "HammingWindow", "BlackmanWindow"})
    c.push_back({op, [op](ModelBuilder &m) {
                   m.ints("n", {10}, onnx::TensorProto::INT64, true).output("y");
                   m.node(op, {"n"}, {"y"});
                 },
                 "", "tensor<10xf32>"});
  c.push_back({"Hardmax", [](ModelBuilder &m) {
                 m.input("x", {2, 3}).output("y");
                 m.node("Hardmax", {"x"}, {"y"});
               },
               "graph.arg_max", "tensor<2x3xf32>"});
  c.push_back({"OneHot", [](ModelBuilder &m) {
                 // indices [2, 3], depth 4, axis -1 -> [2, 3, 4]
                 m.input("i", {2, 3}, onnx::TensorProto::INT64).ints("d", {4}, onnx::TensorProto::INT64, true);
                 m.floats("v", {2}, {0.0f, 1.0f}).output("y");
                 m.node("OneHot", {"i", "d", "v"}, {"y"});
               },
               "graph.equal", "tensor<2x3x4xf32>"});
  c.push_back({"QuantizeLinear", [](ModelBuilder &m) {
                 m.input("x", {2, 3}).floats("s", {}, {0.5f}).ints("z", {3}, onnx::TensorProto::INT8, true);
                 m.output("y", onnx::TensorProto::INT8);
                 m.node("QuantizeLinear", {"x", "s", "z"}, {"y"});
               },
               "graph.quantize", "tensor<2x3x!quant.uniform<i8:f32, 5.000000e-01:3>>"});
  c.push_back({"DequantizeLinear", [](ModelBuilder &m) {
                 // Per-axis int8 weights [2, 3] with one scale per row.
                 m.ints("w", {1, 2, 3, 4, 5, 6}, onnx::TensorProto::INT8);
                 m.graph->mutable_initializer(0)->clear_dims();
                 m.graph->mutable_initializer(0)->add_dims(2);
                 m.graph->mutable_initializer(0)->add_dims(3);
                 m.floats("s", {2}, {0.5f, 0.25f}).ints("z", {0, 0}, onnx::TensorProto::INT8);
                 m.output("y");
                 attrInt(m.node("DequantizeLinear", {"w", "s", "z"}, {"y"}), "axis", 0);
               },
               "graph.dequantize", "tensor<2x3xf32>"});
  // An int8 initializer of the given shape.
  auto int8Tensor = [](ModelBuilder &m, const std::string &name, std::vector<int64_t> shape) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    std::vector<int64_t> values;
    for (int64_t i = 0; i < n; ++i)
      values.push_back(i % 7 - 3);
    m.ints(name, values, onnx::TensorProto::INT8);
    auto *t = m.graph->mutable_initializer(m.graph->initializer_size() - 1);
    t->clear_dims();
    for (int64_t d : shape)
      t->add_dims(d);
  };
  c.push_back({"QLinearConv", [int8Tensor](ModelBuilder &m) {
                 // [1, 1, 4, 4] * [2, 1, 3, 3], no pads -> [1, 2, 2, 2], int8 out.
                 m.input("x", {1, 1, 4, 4}, onnx::TensorProto::INT8);
                 m.floats("xs", {}, {0.5f}).ints("xz", {0}, onnx::TensorProto::INT8, true);
                 int8Tensor(m, "w", {2, 1, 3, 3});
                 m.floats("ws", {2}, {0.1f, 0.2f}).ints("wz", {0, 0}, onnx::TensorProto::INT8);
                 m.floats("ys", {}, {0.25f}).ints("yz", {0}, onnx::TensorProto::INT8, true);
                 m.output("y", onnx::TensorProto::INT8);
                 m.node("QLinearConv", {"x", "xs", "xz", "w", "ws", "wz", "ys", "yz"}, {"y"});
               },
               "graph.conv", "tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01>>"});
  c.push_back({"QLinearMatMul", [int8Tensor](ModelBuilder &m) {
                 m.input("a", {2, 3}, onnx::TensorProto::INT8);
                 m.floats("as", {}, {0.5f}).ints("az", {1}, onnx::TensorProto::INT8, true);
                 int8Tensor(m, "b", {3, 4});
                 m.floats("bs", {}, {0.25f}).ints("bz", {0}, onnx::TensorProto::INT8, true);
                 m.floats("ys", {}, {0.125f}).ints("yz", {0}, onnx::TensorProto::INT8, true);
                 m.output("y", onnx::TensorProto::INT8);
                 m.node("QLinearMatMul", {"a", "as", "az", "b", "bs", "bz", "ys", "yz"}, {"y"});
               },
               "graph.matmul", "tensor<2x4x!quant.uniform<i8:f32, 1.250000e-01>>"});
  c.push_back({"GridSample", [](ModelBuilder &m) {
                 // input [1, 2, 4, 5] at a grid of [1, 3, 6, 2]: [1, 2, 3, 6]
                 m.input("x", {1, 2, 4, 5}).input("g", {1, 3, 6, 2}).output("y");
                 attrString(m.node("GridSample", {"x", "g"}, {"y"}), "padding_mode", "reflection");
               },
               "graph.grid_sample", "tensor<1x2x3x6xf32>"});
  c.push_back({"NonZero", [](ModelBuilder &m) {
                 // a constant [2, 3] with 3 nonzeros: indices [rank 2, 3], folded
                 m.floats("c", {2, 3}, {0.0f, 1.0f, 0.0f, 2.0f, 0.0f, 3.0f}).output("y", onnx::TensorProto::INT64);
                 m.node("NonZero", {"c"}, {"y"});
               },
               "graph.constant", "tensor<2x3xi64>"});
  c.push_back({"Compress", [](ModelBuilder &m) {
                 // rows 0 and 2 of [3, 4] by a constant condition: a gather, [2, 4]
                 m.input("x", {3, 4}).ints("c", {1, 0, 1}, onnx::TensorProto::BOOL).output("y");
                 attrInt(m.node("Compress", {"x", "c"}, {"y"}), "axis", 0);
               },
               "graph.gather", "tensor<2x4xf32>"});
  c.push_back({"NonZero", [](ModelBuilder &m) {
                 // at run time: the coordinates of all 6 elements, nonzero ones first, and a count
                 m.input("x", {2, 3}).output("y", onnx::TensorProto::INT64);
                 m.node("NonZero", {"x"}, {"y"});
               },
               "graph.compact_indices", "tensor<2x6xi64>"});
  c.push_back({"Unique", [](ModelBuilder &m) {
                 // 5 values: the distinct ones first, sized for all 5, with a count
                 m.input("x", {5}).output("y");
                 m.node("Unique", {"x"}, {"y"});
               },
               "graph.arg_max", "tensor<5xf32>"});
  c.push_back({"NonMaxSuppression", [](ModelBuilder &m) {
                 // 1 batch, 2 classes, at most 3 of 6 boxes each: 6 rows
                 m.input("boxes", {1, 6, 4}).input("scores", {1, 2, 6}).ints("k", {3});
                 m.output("y", onnx::TensorProto::INT64);
                 m.node("NonMaxSuppression", {"boxes", "scores", "k"}, {"y"});
               },
               "graph.non_max_suppression", "tensor<6x3xi64>"});
  c.push_back({"TfIdfVectorizer", [](ModelBuilder &m) {
                 // bigrams of token ids [2, 6]: windows compared with the pool, counts to 3 columns
                 m.input("x", {2, 6}, onnx::TensorProto::INT32).output("y");
                 auto &n = m.node("TfIdfVectorizer", {"x"}, {"y"});
                 attrString(n, "mode", "TF");
                 attrInt(n, "min_gram_length", 2);
                 attrInt(n, "max_gram_length", 2);
                 attrInt(n, "max_skip_count", 0);
                 attrInts(n, "ngram_counts", {0, 0});
                 attrInts(n, "ngram_indexes", {0, 1, 2});
                 attrInts(n, "pool_int64s", {5, 6, 7, 8, 6, 7});
               },
               "graph.matmul", "tensor<2x3xf32>"});
  c.push_back({"StringNormalizer", [](ModelBuilder &m) {
                 // strings [4] are their bytes [4, 64]; a stopword: sized for all 4, with a count
                 m.input("x", {4}, onnx::TensorProto::STRING).output("y", onnx::TensorProto::STRING);
                 auto &n = m.node("StringNormalizer", {"x"}, {"y"});
                 attrString(n, "case_change_action", "UPPER");
                 auto *a = n.add_attribute();
                 a->set_name("stopwords");
                 a->set_type(onnx::AttributeProto::STRINGS);
                 a->add_strings("monday");
               },
               "graph.compact_indices", "tensor<4x64xi8>"});
  c.push_back({"DFT", [](ModelBuilder &m) {
                 // a real [1, 8, 1] signal: matmuls with cosines and sines, [1, 8, 2]
                 m.input("x", {1, 8, 1}).output("y");
                 m.node("DFT", {"x"}, {"y"});
               },
               "graph.matmul", "tensor<1x8x2xf32>"});
  c.push_back({"STFT", [](ModelBuilder &m) {
                 // frames of 4 every 2 samples of 10: 4 frames, 3 bins (onesided)
                 m.input("x", {1, 10, 1}).ints("step", {2}, onnx::TensorProto::INT64, true);
                 m.ints("len", {4}, onnx::TensorProto::INT64, true).output("y");
                 m.node("STFT", {"x", "step", "", "len"}, {"y"});
               },
               "graph.gather", "tensor<1x4x3x2xf32>"});
  c.push_back({"MelWeightMatrix", [](ModelBuilder &m) {
                 // 4 mel bins of a 16-point spectrum (9 bins): a constant
                 m.ints("bins", {4}, onnx::TensorProto::INT64, true).ints("n", {16}, onnx::TensorProto::INT64, true);
                 m.ints("rate", {8000}, onnx::TensorProto::INT64, true).floats("lo", {}, {0.0f}).floats("hi", {}, {4000.0f});
                 m.output("y");
                 m.node("MelWeightMatrix", {"bins", "n", "rate", "lo", "hi"}, {"y"});
               },
               "graph.constant", "tensor<9x4xf32>"});
  // Sequences exist only while importing: each case ends in a tensor.
  c.push_back({"SequenceEmpty", [](ModelBuilder &m) {
                 // [] -> [a] -> [b, a]; element 0 is b [1, 3]
                 m.input("a", {2, 3}).input("b", {1, 3}).ints("p0", {0}, onnx::TensorProto::INT64, true).output("y");
                 m.node("SequenceEmpty", {}, {"s0"});
                 m.node("SequenceInsert", {"s0", "a"}, {"s1"});
                 m.node("SequenceInsert", {"s1", "b", "p0"}, {"s2"});
                 m.node("SequenceAt", {"s2", "p0"}, {"y"});
               },
               "", "tensor<1x3xf32>"});
  c.push_back({"SequenceConstruct", [](ModelBuilder &m) {
                 // [a [2, 3], b [1, 3]] concatenated on axis 0: [3, 3]
                 m.input("a", {2, 3}).input("b", {1, 3}).output("y");
                 m.node("SequenceConstruct", {"a", "b"}, {"s"});
                 attrInt(m.node("ConcatFromSequence", {"s"}, {"y"}), "axis", 0);
               },
               "graph.concat", "tensor<3x3xf32>"});
  c.push_back({"SequenceInsert", [](ModelBuilder &m) {
                 // [a] with b inserted at -1 (before a): [b, a]; element -1 is a
                 m.input("a", {2, 3}).input("b", {1, 3}).ints("p", {-1}, onnx::TensorProto::INT32, true).output("y");
                 m.node("SequenceConstruct", {"a"}, {"s0"});
                 m.node("SequenceInsert", {"s0", "b", "p"}, {"s1"});
                 m.node("SequenceAt", {"s1", "p"}, {"y"});
               },
               "", "tensor<2x3xf32>"});
  c.push_back({"SequenceErase", [](ModelBuilder &m) {
                 // [a, b, c] without element 0: [b, c]; element 0 is b [1, 3]
                 m.input("a", {2, 3}).input("b", {1, 3}).input("c", {4, 3}).output("y");
                 m.ints("p", {0}, onnx::TensorProto::INT64, true);
                 m.node("SequenceConstruct", {"a", "b", "c"}, {"s0"});
                 m.node("SequenceErase", {"s0", "p"}, {"s1"});
                 m.node("SequenceAt", {"s1", "p"}, {"y"});
               },
               "", "tensor<1x3xf32>"});
  c.push_back({"SequenceAt", [](ModelBuilder &m) {
                 // element -1 of [a, b, c] is c [4, 3]
                 m.input("a", {2, 3}).input("b", {1, 3}).input("c", {4, 3}).output("y");
                 m.ints("p", {-1}, onnx::TensorProto::INT64, true);
                 m.node("SequenceConstruct", {"a", "b", "c"}, {"s"});
                 m.node("SequenceAt", {"s", "p"}, {"y"});
               },
               "", "tensor<4x3xf32>"});
  c.push_back({"SequenceLength", [](ModelBuilder &m) {
                 // [a, b] has 2 elements: an int64 scalar
                 m.input("a", {2, 3}).input("b", {1, 3}).output("y", onnx::TensorProto::INT64);
                 m.node("SequenceConstruct", {"a", "b"}, {"s"});
                 m.node("SequenceLength", {"s"}, {"y"});
               },
               "graph.constant", "tensor<i64>"});
  c.push_back({"SplitToSequence", [](ModelBuilder &m) {
                 // dim 1 of 10 in chunks of 4: 4, 4, 2; the last is [2, 2]
                 m.input("x", {2, 10}).ints("k", {4}, onnx::TensorProto::INT64, true);
                 m.ints("p", {-1}, onnx::TensorProto::INT64, true).output("y");
                 attrInt(m.node("SplitToSequence", {"x", "k"}, {"s"}), "axis", 1);
                 m.node("SequenceAt", {"s", "p"}, {"y"});
               },
               "graph.slice", "tensor<2x2xf32>"});
  c.push_back({"ConcatFromSequence", [](ModelBuilder &m) {
                 // two [2, 3] stacked on a new last axis: [2, 3, 2]
                 m.input("a", {2, 3}).input("b", {2, 3}).output("y");
                 m.node("SequenceConstruct", {"a", "b"}, {"s"});
                 auto &n = m.node("ConcatFromSequence", {"s"}, {"y"});
                 attrInt(n, "axis", -1);
                 attrInt(n, "new_axis", 1);
               },
               "graph.unsqueeze", "tensor<2x3x2xf32>"});
  return c;
}

/// Rank of a printed tensor type such as "tensor<2x3xf32>".
int rankOf(const std::string &type) {
  llvm::StringRef body = llvm::StringRef(type).drop_front(strlen("tensor<"));
  int rank = 0;
  for (llvm::StringRef rest = body; !rest.empty() && llvm::isDigit(rest.front()); ++rank)
    rest = rest.split('x').second;
  return rank;
}

/// ONNX's checker wants a shape on graph outputs: give the output the
/// expected rank with symbolic dims, which ONNX and edgec then infer.
void declareOutputRank(ModelBuilder &m, const std::string &resultType) {
  auto *type = m.graph->mutable_output(0)->mutable_type()->mutable_tensor_type();
  auto *shape = type->mutable_shape();
  // A string tensor's result holds its bytes in one more dim.
  int strings = type->elem_type() == onnx::TensorProto::STRING ? 1 : 0;
  for (int i = 0, n = rankOf(resultType) - strings; i < n; ++i)
    shape->add_dim()->set_dim_param("d" + std::to_string(i));
}

std::string print(mlir::ModuleOp module) {
  std::string s;
  llvm::raw_string_ostream os(s);
  module.print(os);
  return s;
}

} // namespace

TEST_CASE("every op in the importer table imports and round-trips", "[importer]") {
  for (const OpCase &c : cases()) {
    DYNAMIC_SECTION(c.onnxOp) {
      ModelBuilder m;
      c.build(m);
      declareOutputRank(m, c.resultType);
      std::string bytes;
      REQUIRE(m.model.SerializeToString(&bytes));

      mlir::DialectRegistry registry;
      registerImportDialects(registry);
      mlir::MLIRContext ctx(registry);
      std::string errors;
      mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
        errors += d.str() + "\n";
        return mlir::success();
      });
      auto module = importOnnxBytes(bytes, c.onnxOp + ".onnx", {}, ctx);
      INFO(errors);
      REQUIRE(module);

      auto fn = *module->getOps<mlir::func::FuncOp>().begin();
      REQUIRE(fn.getNumResults() >= 1);
      std::string type;
      llvm::raw_string_ostream(type) << fn.getResultTypes()[0];
      CHECK(type == c.resultType);
      if (!c.graphOp.empty()) {
        bool found = false;
        fn.walk([&](mlir::Operation *op) { found |= op->getName().getStringRef() == c.graphOp; });
        CHECK(found);
      }

      // A fresh context, so resource keys are not uniqued against the first.
      std::string text = print(*module);
      mlir::MLIRContext ctx2(registry);
      auto reparsed = mlir::parseSourceString<mlir::ModuleOp>(text, &ctx2);
      REQUIRE(reparsed);
      CHECK(print(*reparsed) == text);
    }
  }
}

TEST_CASE("the op table has no untested entry", "[importer]") {
  std::set<std::string> tested;
  for (const OpCase &c : cases())
    tested.insert(c.onnxOp);
  for (const OpEntry &e : opTable()) {
    INFO("ONNX op " << e.opType);
    CHECK(tested.count(e.opType) == 1);
  }
}
