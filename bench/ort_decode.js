// ONNX Runtime decoding greedily with a decode step exported by
// examples/llm/llama.py (CPU, one thread, all graph optimisations), for
// bench/llm.py:
//   node ort_decode.js MODEL.onnx CACHE_SHAPE N_TOKENS PROMPT_ID...
// CACHE_SHAPE: the caches' shape as JSON, e.g. [8,1,4,256,64].
// Feeds each step's caches back as the next step's inputs (ONNX Runtime has
// no in-place state). Prints the generated ids, then
// "decode_ms_per_token X prefill_ms_per_token Y".
const path = require('path');
const ort = require(path.join(process.env.EDGEC_ORT_DIR, 'node_modules', 'onnxruntime-node'));

async function main() {
  const [model, cacheShape, n, ...prompt] = process.argv.slice(2);
  const s = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  const shape = JSON.parse(cacheShape);
  const elements = shape.reduce((a, b) => a * b, 1);
  let k = new ort.Tensor('float32', new Float32Array(elements), shape);
  let v = new ort.Tensor('float32', new Float32Array(elements), shape);
  const tokens = prompt.map(Number);
  const out = [];
  let pos = 0, prefillMs = 0, decodeMs = 0, logits = null;
  const step = async (token) => {
    const t0 = process.hrtime.bigint();
    const r = await s.run({
      token: new ort.Tensor('int64', BigInt64Array.from([BigInt(token)]), [1, 1]),
      pos: new ort.Tensor('int64', BigInt64Array.from([BigInt(pos)]), [1]),
      k_cache: k, v_cache: v,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    k = r.k_cache_out; v = r.v_cache_out; logits = r.logits.data; pos += 1;
    return ms;
  };
  for (const t of tokens)
    prefillMs += await step(t);
  for (let i = 0; i < Number(n); ++i) {
    let best = 0;
    for (let j = 1; j < logits.length; ++j)
      if (logits[j] > logits[best]) best = j;
    out.push(best);
    if (i + 1 < Number(n))
      decodeMs += await step(best);
  }
  console.log(out.join(','));
  console.log(`decode_ms_per_token ${(decodeMs / Math.max(1, Number(n) - 1)).toFixed(4)} ` +
              `prefill_ms_per_token ${(prefillMs / tokens.length).toFixed(4)}`);
}
main().catch((e) => { console.error(String(e)); process.exit(1); });
