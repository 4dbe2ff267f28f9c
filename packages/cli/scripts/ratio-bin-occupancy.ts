/**
 * How stage one's sigma bins fill at a batch size: the share of a batch's samples alone in their
 * bin (with EMA rate 0 their normalized ratio is exactly 1, whatever the discriminator says) and
 * the share that falls into the first bin, for linear and log bins, over batches of the training
 * noise levels (`sampleTrainingSigmas`, FastGen's polynomial sampling):
 *
 *   pnpm --filter @fdistill/cli exec tsx scripts/ratio-bin-occupancy.ts [--batch 16] [--batches 2000]
 *
 * Each batch's ratios are random (log-normal); only which bin a sample falls in matters.
 */
import { parseArgs } from 'node:util';
import { selectBackend } from '@fdistill/backend';
import { type RatioBinSpacing, RatioNormalizer } from '@fdistill/divergence';
import { sampleTrainingSigmas } from '@fdistill/score';
import { formatTable } from '@fdistill/utils';
import * as tf from '@tensorflow/tfjs';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '16' },
    batches: { type: 'string', default: '2000' },
  },
});
const batch = Number(values.batch);
const batches = Number(values.batches);
for (const [name, value] of [
  ['--batch', batch],
  ['--batches', batches],
] as const) {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`ratio-bin-occupancy: ${name} must be an integer >= 1, got ${value}`);
  }
}

await selectBackend('cpu');
const rows: string[][] = [];
for (const binSpacing of ['linear', 'log'] as RatioBinSpacing[]) {
  const normalizer = new RatioNormalizer({ binSpacing });
  let alone = 0;
  let firstBin = 0;
  for (let step = 1; step <= batches; step++) {
    const [normalized, index] = tf.tidy(() => {
      const sigma = sampleTrainingSigmas(batch, step);
      const ratio = tf.exp(tf.randomNormal([batch], 0, 0.8, 'float32', step + 7));
      return [normalizer.normalize(ratio, sigma), normalizer.binIndex(sigma)];
    });
    const bins = Array.from(await index.data());
    const ratios = await normalized.data();
    tf.dispose([normalized, index]);
    for (const [sample, bin] of bins.entries()) {
      if (bin === 0) firstBin += 1;
      // Alone in its bin: divided by its own value (plus 1e-6), so 1 to float precision.
      if (bins.filter((other) => other === bin).length === 1) {
        alone += 1;
        if (Math.abs((ratios[sample] as number) - 1) > 1e-4) {
          throw new Error(`a sample alone in bin ${bin} normalized to ${ratios[sample]}, not 1`);
        }
      }
    }
  }
  normalizer.dispose();
  const total = batch * batches;
  rows.push([binSpacing, (alone / total).toFixed(3), (firstBin / total).toFixed(3)]);
}
console.log(`${batches} batches of ${batch} training noise levels, 10 bins over [0.002, 80]\n`);
console.log(formatTable(['bins', 'alone in their bin (ratio set to 1)', 'in the first bin'], rows));
