// Runs an ONNX model with ONNX Runtime (CPU, one thread) as the reference:
//   node ort_reference.js MODEL.onnx SPEC.json
// SPEC.json: {"inputs": [{"name", "dtype", "shape", "file"}],
//             "outputs": [{"name", "file"}]}; tensors are raw little-endian
// files. Writes each output's bytes to its file.
const fs = require('fs');
const path = require('path');
const ortDir = process.env.EDGEC_ORT_DIR;
const ort = require(path.join(ortDir, 'node_modules', 'onnxruntime-node'));

const TYPED = {
  float32: Float32Array, int64: BigInt64Array, int32: Int32Array, int8: Int8Array,
  uint8: Uint8Array, bool: Uint8Array, float64: Float64Array, int16: Int16Array,
};

/// An ONNX Runtime session with one thread and all graph optimisations.
function session(model) {
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
}

/// The feeds a spec's inputs describe.
function feeds(spec) {
  const out = {};
  for (const input of spec.inputs) {
    const bytes = fs.readFileSync(input.file);
    const Typed = TYPED[input.dtype];
    const data = new Typed(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    out[input.name] = new ort.Tensor(input.dtype, input.dtype === 'bool' ? Uint8Array.from(data) : data, input.shape);
  }
  return out;
}

async function main() {
  const [model, specPath] = process.argv.slice(2);
  const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
  const results = await (await session(model)).run(feeds(spec));
  for (const output of spec.outputs) {
    const t = results[output.name];
    fs.writeFileSync(output.file, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
}

module.exports = { session, feeds };
if (require.main === module)
  main().catch((e) => { console.error(String(e)); process.exit(1); });
