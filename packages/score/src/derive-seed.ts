import { assertIntegerAtLeast, describeValue } from '@fdistill/utils';

/**
 * A seed for the random stream `stream` of a computation seeded with `seed`: a 32-bit hash of
 * both (MurmurHash3's finalizer), so that the streams of one seed, and the streams of
 * neighbouring seeds, are unrelated. Every random op of this package draws its seed from here.
 * Never 0: tfjs's random ops treat a seed of 0 as no seed at all (a fresh random draw).
 *
 * @example
 * const noise = tf.randomNormal([8, 2], 0, 1, 'float32', deriveSeed(seed, 1));
 */
export function deriveSeed(seed: number, stream: number): number {
  assertSeed('deriveSeed: seed', seed);
  assertIntegerAtLeast('deriveSeed: stream', stream, 0);
  const low = seed >>> 0;
  const high = Math.floor(seed / 2 ** 32) >>> 0;
  let hash = mixSeedBits(low ^ Math.imul(high, 0x9e3779b1));
  hash = mixSeedBits(hash ^ Math.imul(stream + 1, 0x85ebca6b));
  return hash >>> 1 || 1;
}

/** Throws a RangeError naming `argument` unless `value` is a safe integer (a usable seed). */
export function assertSeed(argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new RangeError(`${argument} must be an integer seed, got ${describeValue(value)}`);
  }
}

/**
 * The one 32-bit seed hash of the project (MurmurHash3's finalizer): every seed a package derives
 * (`deriveSeed` here, the trainer's per-step seeds) is built from it, so all streams mix alike.
 *
 * @example mixSeedBits(0x9e3779b9) // a well-mixed unsigned 32-bit integer
 */
export function mixSeedBits(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
