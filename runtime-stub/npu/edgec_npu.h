/*===- edgec_npu.h - the NPU's command stream (format 2) and driver API -===*
 *
 * Shared by the compiler (targets/npu, which writes streams), the simulator
 * (targets/npu/sim, which executes them) and the driver (edgec_npu.c, which
 * submits them). docs/design/npu.md describes the accelerator and every command.
 *
 * A stream is a sequence of little-endian 32-bit words:
 *
 *   header   EDGEC_NPU_HEADER_WORDS words (EDGEC_NPU_HDR_* indices)
 *   commands each starts with a word  opcode | words << 8 | layer << 16
 *            (`words` counts the command's own words, header word included;
 *            `layer` indexes the layer-name table, for reports)
 *   names    the layer names, NUL-terminated, padded to a word
 *
 * Memory a command names is an address space and a byte offset: the NPU's
 * SRAM, or one of the DRAM buffers the caller binds at submission (the
 * model's arena slices, its constants). Compute commands read and write only
 * SRAM; DMA commands move bytes between a binding and SRAM.
 *
 * Freestanding C99, no libc.
 *===----------------------------------------------------------------------===*/
#ifndef EDGEC_NPU_H
#define EDGEC_NPU_H

#include <stdint.h>

#define EDGEC_NPU_MAGIC 0x5550454Eu /* "ENPU" */
#define EDGEC_NPU_FORMAT_VERSION 2u /* 2: DMA may copy within SRAM */

/* Header words. */
enum {
  EDGEC_NPU_HDR_MAGIC = 0,
  EDGEC_NPU_HDR_VERSION = 1,
  /* The accelerator the stream was compiled for: a stream only runs on the
   * configuration it was tiled for. */
  EDGEC_NPU_HDR_MAC_ROWS = 2,
  EDGEC_NPU_HDR_MAC_COLS = 3,
  EDGEC_NPU_HDR_SRAM_BYTES = 4,
  EDGEC_NPU_HDR_BINDINGS = 5,      /* DRAM buffers the caller must bind */
  EDGEC_NPU_HDR_COMMAND_WORDS = 6, /* words of commands after the header */
  EDGEC_NPU_HDR_COMMANDS = 7,      /* number of commands */
  EDGEC_NPU_HDR_LAYERS = 8,        /* entries of the name table */
  EDGEC_NPU_HDR_NAME_WORDS = 9,    /* words of the name table */
  EDGEC_NPU_HEADER_WORDS = 10
};

/* Address spaces. */
#define EDGEC_NPU_SPACE_SRAM 0u
#define EDGEC_NPU_SPACE_BINDING0 1u /* binding i is space 1 + i */

/* Opcodes. */
enum {
  EDGEC_NPU_OP_DMA = 1,
  EDGEC_NPU_OP_WAIT = 2,
  EDGEC_NPU_OP_CONV = 16,
  EDGEC_NPU_OP_POOL = 17,
  EDGEC_NPU_OP_ADD = 18,
  EDGEC_NPU_OP_END = 255
};

/* DMA: copy count2 x count1 rows of `row` bytes between a binding and SRAM,
 * or within SRAM (not between two bindings). The row at (i2, i1) starts
 * at src + i2 * src_stride2 + i1 * src_stride1, and goes to the same place
 * with the dst strides. It starts once `after_compute` compute commands have
 * finished (the data it reads was written by them, or the SRAM it
 * overwrites is no longer read by them). DMA commands complete in order. */
enum {
  EDGEC_NPU_DMA_SRC_SPACE = 1,
  EDGEC_NPU_DMA_SRC_OFFSET,
  EDGEC_NPU_DMA_DST_SPACE,
  EDGEC_NPU_DMA_DST_OFFSET,
  EDGEC_NPU_DMA_ROW_BYTES,
  EDGEC_NPU_DMA_COUNT1,
  EDGEC_NPU_DMA_SRC_STRIDE1,
  EDGEC_NPU_DMA_DST_STRIDE1,
  EDGEC_NPU_DMA_COUNT2,
  EDGEC_NPU_DMA_SRC_STRIDE2,
  EDGEC_NPU_DMA_DST_STRIDE2,
  EDGEC_NPU_DMA_AFTER_COMPUTE,
  EDGEC_NPU_DMA_WORDS
};

/* WAIT: the next compute command starts once the first `dma_done` DMA
 * commands of the stream have completed. */
enum { EDGEC_NPU_WAIT_DMA_DONE = 1, EDGEC_NPU_WAIT_WORDS };

/* A feature map in SRAM: rows x width x channels int8, channels innermost
 * (NHWC). `row0` is the first row of the whole tensor the buffer holds, so
 * a tile of rows can be addressed in the full tensor's coordinates. */
enum {
  EDGEC_NPU_FMAP_OFFSET = 0, /* SRAM byte offset of the buffer's first row */
  EDGEC_NPU_FMAP_HEIGHT,     /* rows of the whole tensor */
  EDGEC_NPU_FMAP_WIDTH,
  EDGEC_NPU_FMAP_CHANNELS,
  EDGEC_NPU_FMAP_ROW0,       /* first row held */
  EDGEC_NPU_FMAP_ROWS,       /* rows held */
  EDGEC_NPU_FMAP_ZERO_POINT, /* int32, stored-integer zero point */
  EDGEC_NPU_FMAP_WORDS
};

/* CONV: output rows [out.row0, out.row0 + out.rows) and channels
 * [oc0, oc0 + oc_count) of
 *   acc[y][x][c] = bias[c] + sum (in[y*sh + ky*dh - pad_top][x*sw + kx*dw - pad_left][ic] - in_zp)
 *                                * w[c][ky][kx][ic]
 * (depthwise: ic = c, one input channel per output channel), requantised per
 * channel as clamp(out_zp + ((acc * m[c] + 2^(s[c]-1)) >> s[c]), act_min,
 * act_max) with 64-bit intermediate. Padding reads in_zp. Weights at
 * `weights`: channel-major, w[c - oc0][ky][kx][ic] (depthwise: [c - oc0][ky][kx]);
 * `params`: oc_count records of three int32 words (bias, m, s). A fully
 * connected layer is a 1x1 conv over a 1x1 map. `lanes` sets the array's
 * mode: its rows work on mac_rows / lanes pixels at once, `lanes` reduction
 * steps each (the result is the same in every mode; the time is not). */
enum {
  EDGEC_NPU_CONV_FLAGS = 1, /* EDGEC_NPU_CONV_DEPTHWISE */
  EDGEC_NPU_CONV_IN,        /* EDGEC_NPU_FMAP_WORDS words */
  EDGEC_NPU_CONV_OUT = EDGEC_NPU_CONV_IN + EDGEC_NPU_FMAP_WORDS,
  EDGEC_NPU_CONV_OC0 = EDGEC_NPU_CONV_OUT + EDGEC_NPU_FMAP_WORDS,
  EDGEC_NPU_CONV_OC_COUNT,
  EDGEC_NPU_CONV_KERNEL_H,
  EDGEC_NPU_CONV_KERNEL_W,
  EDGEC_NPU_CONV_STRIDE_H,
  EDGEC_NPU_CONV_STRIDE_W,
  EDGEC_NPU_CONV_DILATION_H,
  EDGEC_NPU_CONV_DILATION_W,
  EDGEC_NPU_CONV_PAD_TOP,
  EDGEC_NPU_CONV_PAD_LEFT,
  EDGEC_NPU_CONV_WEIGHTS,   /* SRAM offset */
  EDGEC_NPU_CONV_PARAMS,    /* SRAM offset, 4-byte aligned */
  EDGEC_NPU_CONV_ACT_MIN,   /* int32 */
  EDGEC_NPU_CONV_ACT_MAX,
  EDGEC_NPU_CONV_LANES,     /* array mode: reduction lanes per pixel (divides mac_rows) */
  EDGEC_NPU_CONV_WORDS
};
#define EDGEC_NPU_CONV_DEPTHWISE 1u

/* POOL: max or average over a kernel window, channel by channel, output
 * rows [out.row0, out.row0 + out.rows). Max is taken on the stored int8 and
 * ignores padding (in and out share scale and zero point). Average runs in
 * the unit's float32 datapath exactly as the CPU path computes it:
 * x = ((float)q - in_zp) * in_scale, summed in window order (ky, then kx)
 * from 0.0f, divided by the number of summed elements (padding excluded) or
 * by kernel_h * kernel_w (EDGEC_NPU_POOL_COUNT_PAD), then
 * clamp(round_half_even(sum / out_scale) + out_zp, -128, 127). */
enum {
  EDGEC_NPU_POOL_FLAGS = 1,
  EDGEC_NPU_POOL_IN,
  EDGEC_NPU_POOL_OUT = EDGEC_NPU_POOL_IN + EDGEC_NPU_FMAP_WORDS,
  EDGEC_NPU_POOL_KERNEL_H = EDGEC_NPU_POOL_OUT + EDGEC_NPU_FMAP_WORDS,
  EDGEC_NPU_POOL_KERNEL_W,
  EDGEC_NPU_POOL_STRIDE_H,
  EDGEC_NPU_POOL_STRIDE_W,
  EDGEC_NPU_POOL_PAD_TOP,
  EDGEC_NPU_POOL_PAD_LEFT,
  EDGEC_NPU_POOL_IN_SCALE,  /* float32 bits */
  EDGEC_NPU_POOL_OUT_SCALE, /* float32 bits */
  EDGEC_NPU_POOL_WORDS
};
#define EDGEC_NPU_POOL_AVERAGE 1u
#define EDGEC_NPU_POOL_COUNT_PAD 2u

/* ADD: out = clamp(round_half_even((((float)a - a_zp) * a_scale +
 * ((float)b - b_zp) * b_scale) / out_scale) + out_zp, act_min, act_max),
 * element by element over out.rows rows, float32 without fused
 * multiply-add (the CPU path's dequantize, add, quantize). */
enum {
  EDGEC_NPU_ADD_A = 1,
  EDGEC_NPU_ADD_B = EDGEC_NPU_ADD_A + EDGEC_NPU_FMAP_WORDS,
  EDGEC_NPU_ADD_OUT = EDGEC_NPU_ADD_B + EDGEC_NPU_FMAP_WORDS,
  EDGEC_NPU_ADD_A_SCALE = EDGEC_NPU_ADD_OUT + EDGEC_NPU_FMAP_WORDS, /* float32 bits */
  EDGEC_NPU_ADD_B_SCALE,
  EDGEC_NPU_ADD_OUT_SCALE,
  EDGEC_NPU_ADD_ACT_MIN,
  EDGEC_NPU_ADD_ACT_MAX,
  EDGEC_NPU_ADD_WORDS
};

enum { EDGEC_NPU_END_WORDS = 1 };

/* Driver status codes. */
#define EDGEC_NPU_OK 0
#define EDGEC_NPU_ERROR_BAD_STREAM 100    /* magic, version or a command is malformed */
#define EDGEC_NPU_ERROR_WRONG_CONFIG 101  /* compiled for another MAC array or SRAM size */
#define EDGEC_NPU_ERROR_BAD_ADDRESS 102   /* a command reaches outside SRAM or a binding */
#define EDGEC_NPU_ERROR_TIMEOUT 103
#define EDGEC_NPU_ERROR_NO_DEVICE 104     /* no NPU (or another format) at the driver's address */

/* The device's registers (edgec_npu.c), byte offsets. */
enum {
  EDGEC_NPU_REG_ID = 0x00,
  EDGEC_NPU_REG_VERSION = 0x04,
  EDGEC_NPU_REG_CONTROL = 0x08,
  EDGEC_NPU_REG_STATUS = 0x0C,
  EDGEC_NPU_REG_RESULT = 0x10,
  EDGEC_NPU_REG_STREAM_LO = 0x14,
  EDGEC_NPU_REG_STREAM_HI = 0x18,
  EDGEC_NPU_REG_STREAM_WORDS = 0x1C,
  EDGEC_NPU_REG_TABLE_LO = 0x20,
  EDGEC_NPU_REG_TABLE_HI = 0x24,
  EDGEC_NPU_REG_TABLE_COUNT = 0x28,
  EDGEC_NPU_REG_BYTES = 0x2C
};
#define EDGEC_NPU_CONTROL_START 1u /* run the stream the registers name */
#define EDGEC_NPU_CONTROL_ACK 2u   /* the result was read: clear DONE */
#define EDGEC_NPU_STATUS_BUSY 1u
#define EDGEC_NPU_STATUS_DONE 2u
/* Most bindings a submission may have (the driver's table is on the stack). */
#define EDGEC_NPU_MAX_BINDINGS 64u

#ifdef __cplusplus
extern "C" {
#endif

/* Runs a command stream to completion. `bindings[i]` is the DRAM buffer of
 * address space 1 + i, `binding_bytes[i]` its size. Generated code calls
 * this; the driver (runtime-stub/npu/edgec_npu.c) hands the stream to the
 * device, and on the host the simulator provides it. */
int edgec_npu_submit(const uint32_t *stream, uint32_t stream_words, void *const *bindings,
                     const uint32_t *binding_bytes, uint32_t binding_count);

#ifdef __cplusplus
}
#endif

#endif /* EDGEC_NPU_H */
