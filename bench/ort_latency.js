// ONNX Runtime's latency on one model (CPU, one thread, all graph
// optimisations), for bench/host.py:
//   node ort_latency.js MODEL.onnx SPEC.json WARMUP REPEAT
// SPEC.json as for test/e2e/ort_reference.js (only "inputs" is read).
// Prints "median_ms X min_ms Y runs N" like bench/latency.c.
const fs = require('fs');
const path = require('path');
const { session, feeds } = require(path.join(__dirname, '..', 'test', 'e2e', 'ort_reference.js'));

async function main() {
  const [model, specPath, warmup, repeat] = process.argv.slice(2);
  const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
  const s = await session(model);
  const f = feeds(spec);
  for (let i = 0; i < Number(warmup); ++i)
    await s.run(f);
  const ms = [];
  for (let i = 0; i < Math.max(1, Number(repeat)); ++i) {
    const t0 = process.hrtime.bigint();
    await s.run(f);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  console.log(`median_ms ${ms[ms.length >> 1].toFixed(6)} min_ms ${ms[0].toFixed(6)} runs ${ms.length}`);
}
main().catch((e) => { console.error(String(e)); process.exit(1); });
