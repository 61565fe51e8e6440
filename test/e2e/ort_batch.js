// Runs one single-input float32 ONNX model on many inputs with ONNX Runtime
// (CPU, one thread): node ort_batch.js MODEL.onnx DIR COUNT D0xD1x...
// reads DIR/in_K.bin, writes DIR/out_K.bin (first output) for K < COUNT.
const fs = require('fs');
const path = require('path');
const ort = require(path.join(process.env.EDGEC_ORT_DIR, 'node_modules', 'onnxruntime-node'));

async function main() {
  const [model, dir, count, shapeText] = process.argv.slice(2);
  const shape = shapeText.split('x').map(Number);
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  for (let k = 0; k < Number(count); ++k) {
    const bytes = fs.readFileSync(path.join(dir, `in_${k}.bin`));
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, shape) });
    const t = out[session.outputNames[0]];
    fs.writeFileSync(path.join(dir, `out_${k}.bin`), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
}
main().catch((e) => { console.error(String(e)); process.exit(1); });
