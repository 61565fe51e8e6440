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

async function main() {
  const [model, specPath] = process.argv.slice(2);
  const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  const feeds = {};
  for (const input of spec.inputs) {
    const bytes = fs.readFileSync(input.file);
    const Typed = TYPED[input.dtype];
    const data = new Typed(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    feeds[input.name] = new ort.Tensor(input.dtype, input.dtype === 'bool' ? Uint8Array.from(data) : data, input.shape);
  }
  const results = await session.run(feeds);
  for (const output of spec.outputs) {
    const t = results[output.name];
    fs.writeFileSync(output.file, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
}
main().catch((e) => { console.error(String(e)); process.exit(1); });
