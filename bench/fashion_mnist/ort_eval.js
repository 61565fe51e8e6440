// ONNX Runtime (CPU, one thread) over a file of images:
//   node ort_eval.js MODEL.onnx IMAGES.bin COUNT LOGITS.bin [disabled]
// With `disabled`, ORT's graph optimisations are off: a QDQ model then runs
// as its float ops say (dequantize, float conv, quantize), the reference
// semantics, instead of ORT's fused integer kernels.
// IMAGES.bin: COUNT float32 [1,1,28,28] images; LOGITS.bin gets COUNT x 10 float32.
const fs = require('fs');
const path = require('path');
const ort = require(path.join(process.env.EDGEC_ORT_DIR, 'node_modules', 'onnxruntime-node'));

async function main() {
  const [model, imagesPath, countText, outPath, optimisation] = process.argv.slice(2);
  const count = Number(countText);
  const bytes = fs.readFileSync(imagesPath);
  const images = new Float32Array(bytes.buffer, bytes.byteOffset, count * 784);
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  if (optimisation === 'disabled')
    options.graphOptimizationLevel = 'disabled';
  const session = await ort.InferenceSession.create(model, options);
  const logits = new Float32Array(count * 10);
  for (let i = 0; i < count; ++i) {
    const input = new ort.Tensor('float32', images.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]);
    const out = await session.run({ [session.inputNames[0]]: input });
    logits.set(out[session.outputNames[0]].data, i * 10);
  }
  fs.writeFileSync(outPath, Buffer.from(logits.buffer));
}
main().catch((e) => { console.error(String(e)); process.exit(1); });
