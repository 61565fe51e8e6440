//===- StreamWriter.cpp - typed NPU commands to stream words -------------===//

#include "StreamWriter.h"

#include "runtime-stub/npu/edgec_npu.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace edgec::npu {
namespace {

uint32_t bitsOf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

} // namespace

StreamWriter::StreamWriter(const NpuConfig &config, uint32_t bindings) : config_(config), bindings_(bindings) {}

uint32_t StreamWriter::layer(const std::string &name) {
  auto [it, added] = nameIndex_.try_emplace(name, uint32_t(names_.size()));
  if (added)
    names_.push_back(name);
  return it->second;
}

void StreamWriter::begin(uint32_t opcode, uint32_t words, uint32_t layer) {
  assert(layer < names_.size() && "layer not in the name table");
  layer = std::min<uint32_t>(layer, 0xFFFF); // the header's 16 bits (a subgraph of 65536 layers shares the last)
  commands_.push_back(opcode | words << 8 | layer << 16);
  ++commandCount_;
}

void StreamWriter::fmap(const FmapDesc &f) {
  size_t at = commands_.size();
  commands_.resize(at + EDGEC_NPU_FMAP_WORDS);
  commands_[at + EDGEC_NPU_FMAP_OFFSET] = f.offset;
  commands_[at + EDGEC_NPU_FMAP_HEIGHT] = f.height;
  commands_[at + EDGEC_NPU_FMAP_WIDTH] = f.width;
  commands_[at + EDGEC_NPU_FMAP_CHANNELS] = f.channels;
  commands_[at + EDGEC_NPU_FMAP_ROW0] = f.row0;
  commands_[at + EDGEC_NPU_FMAP_ROWS] = f.rows;
  commands_[at + EDGEC_NPU_FMAP_ZERO_POINT] = uint32_t(f.zeroPoint);
}

void StreamWriter::dma(uint32_t layer, const DmaDesc &d) {
  begin(EDGEC_NPU_OP_DMA, EDGEC_NPU_DMA_WORDS, layer);
  for (uint32_t w : {d.srcSpace, d.srcOffset, d.dstSpace, d.dstOffset, d.rowBytes, d.count1, d.srcStride1,
                     d.dstStride1, d.count2, d.srcStride2, d.dstStride2, d.afterCompute})
    commands_.push_back(w);
  ++dmas_;
}

void StreamWriter::wait(uint32_t layer, uint32_t dmaDone) {
  begin(EDGEC_NPU_OP_WAIT, EDGEC_NPU_WAIT_WORDS, layer);
  commands_.push_back(dmaDone);
}

void StreamWriter::conv(uint32_t layer, const ConvDesc &d) {
  begin(EDGEC_NPU_OP_CONV, EDGEC_NPU_CONV_WORDS, layer);
  commands_.push_back(d.depthwise ? EDGEC_NPU_CONV_DEPTHWISE : 0);
  fmap(d.in);
  fmap(d.out);
  for (uint32_t w : {d.oc0, d.ocCount, d.kernelH, d.kernelW, d.strideH, d.strideW, d.dilationH, d.dilationW,
                     uint32_t(d.padTop), uint32_t(d.padLeft), d.weights, d.params, uint32_t(d.actMin),
                     uint32_t(d.actMax), d.lanes})
    commands_.push_back(w);
  ++computes_;
}

void StreamWriter::pool(uint32_t layer, const PoolDesc &d) {
  begin(EDGEC_NPU_OP_POOL, EDGEC_NPU_POOL_WORDS, layer);
  commands_.push_back((d.average ? EDGEC_NPU_POOL_AVERAGE : 0) | (d.countPad ? EDGEC_NPU_POOL_COUNT_PAD : 0));
  fmap(d.in);
  fmap(d.out);
  for (uint32_t w : {d.kernelH, d.kernelW, d.strideH, d.strideW, uint32_t(d.padTop), uint32_t(d.padLeft),
                     bitsOf(d.inScale), bitsOf(d.outScale)})
    commands_.push_back(w);
  ++computes_;
}

void StreamWriter::add(uint32_t layer, const AddDesc &d) {
  begin(EDGEC_NPU_OP_ADD, EDGEC_NPU_ADD_WORDS, layer);
  fmap(d.a);
  fmap(d.b);
  fmap(d.out);
  for (uint32_t w : {bitsOf(d.aScale), bitsOf(d.bScale), bitsOf(d.outScale), uint32_t(d.actMin),
                     uint32_t(d.actMax)})
    commands_.push_back(w);
  ++computes_;
}

std::vector<uint32_t> StreamWriter::finish() const {
  std::vector<uint32_t> names;
  std::string table;
  for (const std::string &n : names_)
    table += n + '\0';
  names.resize((table.size() + 3) / 4, 0);
  std::memcpy(names.data(), table.data(), table.size());

  std::vector<uint32_t> out(EDGEC_NPU_HEADER_WORDS, 0);
  out[EDGEC_NPU_HDR_MAGIC] = EDGEC_NPU_MAGIC;
  out[EDGEC_NPU_HDR_VERSION] = EDGEC_NPU_FORMAT_VERSION;
  out[EDGEC_NPU_HDR_MAC_ROWS] = config_.macRows;
  out[EDGEC_NPU_HDR_MAC_COLS] = config_.macCols;
  out[EDGEC_NPU_HDR_SRAM_BYTES] = config_.sramBytes;
  out[EDGEC_NPU_HDR_BINDINGS] = bindings_;
  out[EDGEC_NPU_HDR_COMMAND_WORDS] = uint32_t(commands_.size() + EDGEC_NPU_END_WORDS);
  out[EDGEC_NPU_HDR_COMMANDS] = commandCount_ + 1;
  out[EDGEC_NPU_HDR_LAYERS] = uint32_t(names_.size());
  out[EDGEC_NPU_HDR_NAME_WORDS] = uint32_t(names.size());
  out.insert(out.end(), commands_.begin(), commands_.end());
  out.push_back(EDGEC_NPU_OP_END | EDGEC_NPU_END_WORDS << 8);
  out.insert(out.end(), names.begin(), names.end());
  return out;
}

} // namespace edgec::npu
