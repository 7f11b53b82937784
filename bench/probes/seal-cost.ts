/**
 * Probe for docs/CONSUMING.md ("Sealed payloads", cost): CPU time of sealing and opening one value
 * (src/seal/sealed-value-v1.ts) for a few value sizes, best of 3 rounds, on one core. No Kafka.
 *
 *   node dist/bench/probes/seal-cost.js
 */
import { Keyring } from '../../src/seal/keyring.js';
import { openSealedValue, sealValue } from '../../src/seal/sealed-value-v1.js';

const ring = Keyring.fromKeys([{ id: 'k1', key: Buffer.alloc(32, 1) }]);
for (const size of [100, 1024, 16_384]) {
  const plaintext = Buffer.alloc(size, 7);
  const n = size > 4096 ? 20_000 : 200_000;
  const sealed = sealValue(ring, 'orders', plaintext).value;
  let seal = Number.POSITIVE_INFINITY;
  let open = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    let t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sealValue(ring, 'orders', plaintext);
    seal = Math.min(seal, Number(process.hrtime.bigint() - t) / n / 1000);
    t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) openSealedValue(ring, 'orders', 'k1', sealed);
    open = Math.min(open, Number(process.hrtime.bigint() - t) / n / 1000);
  }
  console.log(
    `${String(size).padStart(6)} B: seal ${seal.toFixed(2)} µs (${Math.round(1e6 / seal)}/s), open ${open.toFixed(2)} µs (${Math.round(1e6 / open)}/s)`,
  );
}
