import { buildMixtureRun, type MixtureRun } from '@fdistill/trainer';
import type { RunConfig } from './run-config.js';

/**
 * Builds a mixture-preset run (the trainer's `buildMixtureRun` on the config's settings).
 *
 * @example const run = buildMixtureRunOfConfig(resolveRunConfig({ preset: 'ring8' }));
 */
export function buildMixtureRunOfConfig(config: RunConfig): MixtureRun {
  if (config.preset !== 'ring8' && config.preset !== 'grid25') {
    throw new Error(`buildMixtureRun: preset ${config.preset} is not a mixture preset`);
  }
  return buildMixtureRun({ ...config, mixture: config.preset });
}
