//===- fuzz_onnx_structured.cpp - the importer on well-formed, wrong models ===//
//
// Most byte-level mutations of a model are not protobuf. This fuzzer's
// mutator parses the input as a ModelProto and changes what a model can
// get wrong while staying well formed: dims (0, -1, huge, symbolic, extra
// or missing), element types, attribute values and kinds, dangling and
// cyclic edges, duplicated and deleted nodes and outputs, op types,
// initializers whose data does not fit, opset versions, nested graphs.
// Every model then goes through import and lowering (FuzzModel.h).
//
//===----------------------------------------------------------------------===//
#include "test/fuzz/FuzzModel.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxSize);

namespace {

using Rng = std::mt19937_64;

template <typename T> T pick(Rng &rng, std::initializer_list<T> values) {
  return *(values.begin() + rng() % values.size());
}
size_t below(Rng &rng, size_t n) { return n ? rng() % n : 0; }

int64_t interestingInt(Rng &rng) {
  return pick<int64_t>(rng, {0, 1, -1, 2, 3, 4, 7, 8, 16, 255, 256, 65535, 65536, int64_t(1) << 31,
                             (int64_t(1) << 31) - 1, int64_t(1) << 32, int64_t(1) << 40, int64_t(1) << 62,
                             std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(),
                             -2, -3, -65536, static_cast<int64_t>(rng() % 64)});
}

float interestingFloat(Rng &rng) {
  return pick<float>(rng, {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 1e-30f, 1e30f, std::numeric_limits<float>::quiet_NaN(),
                           std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::denorm_min(), 3.0f, 255.0f});
}

std::string interestingString(Rng &rng) {
  return pick<std::string>(rng, {"", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID", "constant", "reflect", "edge",
                                 "linear", "nearest", "cubic", "half_pixel", "align_corners", "DCR", "CRD",
                                 "tanh", "none", std::string(300, 'x'), std::string("\0\n\xff", 3)});
}

void mutateShape(onnx::TensorShapeProto &shape, Rng &rng) {
  switch (rng() % 5) {
  case 0:
    if (shape.dim_size()) {
      auto *dim = shape.mutable_dim(below(rng, shape.dim_size()));
      if (rng() % 4 == 0)
        dim->set_dim_param(pick<std::string>(rng, {"N", "batch", "", "?"}));
      else
        dim->set_dim_value(interestingInt(rng));
      return;
    }
    [[fallthrough]];
  case 1:
    shape.add_dim()->set_dim_value(interestingInt(rng));
    return;
  case 2:
    if (shape.dim_size())
      shape.mutable_dim()->RemoveLast();
    return;
  case 3:
    shape.clear_dim(); // rank 0
    return;
  default:
    if (shape.dim_size() > 1)
      shape.mutable_dim()->SwapElements(0, shape.dim_size() - 1);
  }
}

void mutateValueInfo(onnx::ValueInfoProto &info, Rng &rng) {
  auto *tensor = info.mutable_type()->mutable_tensor_type();
  switch (rng() % 4) {
  case 0:
    tensor->set_elem_type(static_cast<int32_t>(rng() % 26)); // 0 and the types no edge model uses included
    return;
  case 1:
    tensor->clear_shape(); // unknown rank
    return;
  case 2:
    info.clear_type();
    return;
  default:
    mutateShape(*tensor->mutable_shape(), rng);
  }
}

void mutateTensor(onnx::TensorProto &t, Rng &rng) {
  switch (rng() % 7) {
  case 0:
    if (t.dims_size()) {
      t.set_dims(below(rng, t.dims_size()), interestingInt(rng));
      return;
    }
    [[fallthrough]];
  case 1:
    t.add_dims(interestingInt(rng));
    return;
  case 2:
    t.set_data_type(static_cast<int32_t>(rng() % 26));
    return;
  case 3:
    if (t.has_raw_data())
      t.mutable_raw_data()->resize(below(rng, t.raw_data().size() + 9));
    return;
  case 4:
    t.clear_raw_data();
    t.add_float_data(interestingFloat(rng));
    return;
  case 5:
    t.set_data_location(onnx::TensorProto::EXTERNAL);
    return;
  default:
    t.clear_dims();
  }
}

void mutateGraph(onnx::GraphProto &g, Rng &rng, int depth);

void mutateAttribute(onnx::AttributeProto &a, Rng &rng, int depth) {
  using A = onnx::AttributeProto;
  if (rng() % 8 == 0) { // the kind the op does not expect
    a.set_type(static_cast<A::AttributeType>(1 + rng() % 14));
    return;
  }
  switch (a.type()) {
  case A::INT:
    a.set_i(interestingInt(rng));
    return;
  case A::FLOAT:
    a.set_f(interestingFloat(rng));
    return;
  case A::STRING:
    a.set_s(interestingString(rng));
    return;
  case A::INTS:
    if (a.ints_size() && rng() % 3)
      a.set_ints(below(rng, a.ints_size()), interestingInt(rng));
    else if (a.ints_size() && rng() % 2)
      a.mutable_ints()->RemoveLast();
    else
      a.add_ints(interestingInt(rng));
    return;
  case A::FLOATS:
    if (a.floats_size())
      a.set_floats(below(rng, a.floats_size()), interestingFloat(rng));
    else
      a.add_floats(interestingFloat(rng));
    return;
  case A::TENSOR:
    mutateTensor(*a.mutable_t(), rng);
    return;
  case A::GRAPH:
    if (depth < 3)
      mutateGraph(*a.mutable_g(), rng, depth + 1);
    return;
  default:
    a.set_i(interestingInt(rng));
  }
}

/// A name in the graph: some value's, or one nobody defines.
std::string someName(const onnx::GraphProto &g, Rng &rng) {
  std::vector<const std::string *> names;
  for (const auto &in : g.input())
    names.push_back(&in.name());
  for (const auto &n : g.node())
    for (const auto &out : n.output())
      names.push_back(&out);
  for (const auto &init : g.initializer())
    names.push_back(&init.name());
  if (names.empty() || rng() % 5 == 0)
    return pick<std::string>(rng, {"edgec_fuzz_undefined", ""});
  return *names[below(rng, names.size())];
}

void mutateNode(onnx::GraphProto &g, onnx::NodeProto &n, Rng &rng, int depth) {
  switch (rng() % 8) {
  case 0: // an edge from elsewhere: dangling, from later (a cycle), omitted, itself
    if (n.input_size()) {
      n.set_input(below(rng, n.input_size()), someName(g, rng));
      return;
    }
    [[fallthrough]];
  case 1:
    if (rng() % 2 && n.input_size())
      n.mutable_input()->RemoveLast();
    else
      n.add_input(someName(g, rng));
    return;
  case 2: // an output that shadows another value, or an extra one
    if (n.output_size() && rng() % 2)
      n.set_output(below(rng, n.output_size()), someName(g, rng));
    else
      n.add_output("edgec_fuzz_out" + std::to_string(rng() % 4));
    return;
  case 3: // another op's type, with these inputs and attributes
    n.set_op_type(g.node(below(rng, g.node_size())).op_type());
    if (rng() % 3 == 0)
      n.set_domain(pick<std::string>(rng, {"ai.onnx.ml", "com.microsoft", "edgec.fuzz"}));
    return;
  case 4: // another node's attribute
    {
      const onnx::NodeProto &other = g.node(below(rng, g.node_size()));
      if (other.attribute_size()) {
        *n.add_attribute() = other.attribute(below(rng, other.attribute_size()));
        return;
      }
    }
    [[fallthrough]];
  default:
    if (n.attribute_size())
      mutateAttribute(*n.mutable_attribute(below(rng, n.attribute_size())), rng, depth);
    else
      n.add_input(someName(g, rng));
  }
}

void mutateGraph(onnx::GraphProto &g, Rng &rng, int depth) {
  switch (rng() % 10) {
  case 0:
  case 1:
  case 2:
  case 3:
    if (g.node_size()) {
      mutateNode(g, *g.mutable_node(below(rng, g.node_size())), rng, depth);
      return;
    }
    [[fallthrough]];
  case 4: // value types: inputs, outputs, value_info
    {
      std::vector<onnx::ValueInfoProto *> infos;
      for (auto &v : *g.mutable_input())
        infos.push_back(&v);
      for (auto &v : *g.mutable_output())
        infos.push_back(&v);
      for (auto &v : *g.mutable_value_info())
        infos.push_back(&v);
      if (!infos.empty())
        mutateValueInfo(*infos[below(rng, infos.size())], rng);
      return;
    }
  case 5:
    if (g.initializer_size()) {
      mutateTensor(*g.mutable_initializer(below(rng, g.initializer_size())), rng);
      return;
    }
    [[fallthrough]];
  case 6: // a node deleted, or duplicated (its outputs defined twice)
    if (g.node_size()) {
      size_t i = below(rng, g.node_size());
      if (rng() % 2) {
        g.mutable_node()->DeleteSubrange(static_cast<int>(i), 1);
      } else {
        *g.add_node() = g.node(static_cast<int>(i));
      }
    }
    return;
  case 7: // nodes out of order
    if (g.node_size() > 1)
      g.mutable_node()->SwapElements(static_cast<int>(below(rng, g.node_size())),
                                     static_cast<int>(below(rng, g.node_size())));
    return;
  case 8: // graph outputs: one renamed to something else, or one dropped
    if (g.output_size()) {
      if (rng() % 2)
        g.mutable_output(below(rng, g.output_size()))->set_name(someName(g, rng));
      else
        g.mutable_output()->RemoveLast();
    }
    return;
  default: // an input without a producer, or one shadowing an initializer
    if (g.initializer_size() && rng() % 2) {
      auto *in = g.add_input();
      in->set_name(g.initializer(below(rng, g.initializer_size())).name());
      in->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    } else if (g.input_size()) {
      g.mutable_input()->SwapElements(0, g.input_size() - 1);
    }
  }
}

void mutateModel(onnx::ModelProto &m, Rng &rng) {
  if (rng() % 16 == 0) {
    auto *opset = m.opset_import_size() ? m.mutable_opset_import(0) : m.add_opset_import();
    opset->set_version(pick<int64_t>(rng, {1, 6, 7, 9, 11, 13, 16, 17, 18, 21, 22, 100, 0, -1}));
    return;
  }
  if (rng() % 32 == 0) {
    m.set_ir_version(pick<int64_t>(rng, {0, 1, 3, 7, 8, 10, 100, -1}));
    return;
  }
  mutateGraph(*m.mutable_graph(), rng, 0);
}

} // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t maxSize, unsigned seed) {
  Rng rng(seed);
  onnx::ModelProto model;
  // One in eight keeps libFuzzer's byte-level mutations in the mix.
  if (rng() % 8 == 0 || size > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(data, static_cast<int>(size)) || !model.has_graph())
    return LLVMFuzzerMutate(data, size, maxSize);
  for (int rounds = 1 + static_cast<int>(rng() % 3); rounds > 0; --rounds)
    mutateModel(model, rng);
  std::string out;
  if (!model.SerializeToString(&out) || out.size() > maxSize)
    return LLVMFuzzerMutate(data, size, maxSize);
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  edgec::fuzz::importAndLower(data, size);
  return 0;
}
