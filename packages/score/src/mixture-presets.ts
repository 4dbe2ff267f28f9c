import { assertIntegerAtLeast, assertPositiveNumber } from '@fdistill/utils';
import { GaussianMixture } from './gaussian-mixture.js';

/** Options of `ringMixture`. */
export interface RingMixtureOptions {
  /** Number of modes on the circle; default 8. */
  modes?: number;
  /** Radius of the circle; default 1. */
  radius?: number;
  /** Standard deviation of every mode; default 0.05. */
  std?: number;
  /** Mode weights (normalized), counter-clockwise from angle 0; default equal. */
  weights?: readonly number[];
  /** EDM's sigma_data; default 0.5. */
  sigmaData?: number;
}

/**
 * The GAN literature's ring: `modes` isotropic Gaussians with means `radius (cos a_k, sin a_k)`,
 * `a_k = 2 pi k / modes`, in 2-D. Unequal `weights` make mode dropping visible.
 *
 * @example
 * const ring = ringMixture({ modes: 8, radius: 1, std: 0.05, weights: [4, 1, 1, 1, 1, 1, 1, 1] });
 */
export function ringMixture(options: RingMixtureOptions = {}): GaussianMixture {
  const modes = options.modes ?? 8;
  const radius = options.radius ?? 1;
  const std = options.std ?? 0.05;
  assertIntegerAtLeast('ringMixture: options.modes', modes, 1);
  assertPositiveNumber('ringMixture: options.radius', radius);
  assertPositiveNumber('ringMixture: options.std', std);
  const means = Array.from({ length: modes }, (_, k) => {
    const angle = (2 * Math.PI * k) / modes;
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  });
  return new GaussianMixture({
    means,
    stds: std,
    ...(options.weights === undefined ? {} : { weights: options.weights }),
    ...(options.sigmaData === undefined ? {} : { sigmaData: options.sigmaData }),
  });
}

/** Options of `gridMixture`. */
export interface GridMixtureOptions {
  /** Modes per side (side^2 in all); default 5. */
  side?: number;
  /** Distance between neighbouring modes; default 0.5 (a 5 x 5 grid spans [-1, 1]^2). */
  spacing?: number;
  /** Standard deviation of every mode; default 0.05. */
  std?: number;
  /** Mode weights (normalized) in row-major order (x fastest, then y); default equal. */
  weights?: readonly number[];
  /** EDM's sigma_data; default 0.5. */
  sigmaData?: number;
}

/**
 * The GAN literature's grid: `side x side` isotropic Gaussians centred on the origin, means
 * `((i - (side - 1) / 2) spacing, (j - (side - 1) / 2) spacing)`, component `j * side + i`.
 *
 * @example const grid = gridMixture({ side: 5, spacing: 0.5, std: 0.05 }); // 25 modes
 */
export function gridMixture(options: GridMixtureOptions = {}): GaussianMixture {
  const side = options.side ?? 5;
  const spacing = options.spacing ?? 0.5;
  const std = options.std ?? 0.05;
  assertIntegerAtLeast('gridMixture: options.side', side, 1);
  assertPositiveNumber('gridMixture: options.spacing', spacing);
  assertPositiveNumber('gridMixture: options.std', std);
  const centre = (side - 1) / 2;
  const means: number[][] = [];
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) means.push([(i - centre) * spacing, (j - centre) * spacing]);
  }
  return new GaussianMixture({
    means,
    stds: std,
    ...(options.weights === undefined ? {} : { weights: options.weights }),
    ...(options.sigmaData === undefined ? {} : { sigmaData: options.sigmaData }),
  });
}
