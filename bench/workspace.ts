/**
 * The workspace packages as the benchmark uses them: their built `dist` (run `turbo run build`
 * first; `pnpm bench` does), imported by path because `bench/` is not a workspace package.
 */
export * as backend from '../packages/backend/dist/index.js';
export * as discriminator from '../packages/discriminator/dist/index.js';
export * as divergence from '../packages/divergence/dist/index.js';
export * as score from '../packages/score/dist/index.js';
export * as trainer from '../packages/trainer/dist/index.js';
export * as trainerNode from '../packages/trainer/dist/node.js';

/** The backend package's entry, for worker threads to import (`startGradientWorkers`). */
export const BACKEND_MODULE = new URL('../packages/backend/dist/index.js', import.meta.url).href;
