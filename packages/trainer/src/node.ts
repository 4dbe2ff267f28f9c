export { checkpointFile, writeFileAtomically } from './node/checkpoint-file.js';
export { type DistillWorkersOptions, startDistillWorkers } from './node/distill-workers.js';
export { type GradientWorkersOptions, startGradientWorkers } from './node/gradient-workers.js';
export { type IdxContent, readIdxFile } from './node/idx-file.js';
export { type IdxImageSourceOptions, idxImageSource } from './node/idx-image-source.js';
export {
  type PngFolderContent,
  type PngFolderSourceOptions,
  pngFolderSource,
  readPngFolder,
} from './node/png-folder-source.js';
export type { SamplerChunk } from './node/sampler-worker-protocol.js';
export {
  type SamplerWorkersOptions,
  startSamplerWorkers,
  type TeacherSamplers,
} from './node/sampler-workers.js';
export { solveChunk } from './node/solve-chunk.js';
export type { WorkerTimeouts } from './node/worker-pool.js';
