import { assertIntegerAtLeast, assertNonEmptyString, describeValue } from '@fdistill/utils';

type OnnxRuntime = typeof import('onnxruntime-node');
type InferenceSession = Awaited<ReturnType<OnnxRuntime['InferenceSession']['create']>>;

/** How to open an ONNX model; shared by the ONNX feature extractors. */
export interface OnnxModelOptions {
  /** Path of the `.onnx` file, or its bytes. */
  modelPath: string | Uint8Array;
  /** Name of the model input fed with the batch; default: the model's first input. */
  inputName?: string;
  /** Name of the model output read as features; default: the model's first output. */
  outputName?: string;
  /** Inputs per `session.run`; default 64. Models with a fixed batch size need exactly it. */
  batchSize?: number;
  /** onnxruntime-node execution providers, in order of preference; default `['cpu']`. */
  executionProviders?: string[];
}

/** An open ONNX session that maps float32 batches to flat per-sample features. */
export interface OnnxFeatureSession {
  readonly inputName: string;
  readonly outputName: string;
  readonly batchSize: number;
  /** Runs one batch of shape `[count, ...]`; returns `count x width` features. */
  run(
    batch: Float32Array,
    shape: readonly number[],
  ): Promise<{ data: Float32Array; width: number }>;
  release(): Promise<void>;
}

/**
 * How to install onnxruntime-node with nothing but the npm registry: its CPU binaries ship in the
 * package, and `--onnxruntime-node-install=skip` stops its install script from fetching CUDA files.
 */
export const ONNX_RUNTIME_INSTALL_HINT =
  'npm install onnxruntime-node --onnxruntime-node-install=skip';

/**
 * Loads the optional peer `onnxruntime-node`, or explains how to install it.
 *
 * @example const { InferenceSession } = await loadOnnxRuntime();
 */
export async function loadOnnxRuntime(): Promise<OnnxRuntime> {
  try {
    return await import('onnxruntime-node');
  } catch (error) {
    throw new Error(
      `onnxruntime-node, an optional peer dependency, is not installed: ${ONNX_RUNTIME_INSTALL_HINT}`,
      { cause: error },
    );
  }
}

/**
 * Opens an ONNX model with onnxruntime-node (loaded on first use) and checks the input and
 * output names against the model.
 *
 * @example const session = await openOnnxFeatureSession('createOnnxFeatureExtractor', { modelPath: 'model.onnx' });
 */
export async function openOnnxFeatureSession(
  caller: string,
  options: OnnxModelOptions,
): Promise<OnnxFeatureSession> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `${caller}(options): options must be an object, got ${describeValue(options)}`,
    );
  }
  const { modelPath } = options;
  if (!(modelPath instanceof Uint8Array))
    assertNonEmptyString(`${caller}: options.modelPath`, modelPath);
  const batchSize = options.batchSize ?? 64;
  assertIntegerAtLeast(`${caller}: options.batchSize`, batchSize, 1);
  if (options.inputName !== undefined)
    assertNonEmptyString(`${caller}: options.inputName`, options.inputName);
  if (options.outputName !== undefined)
    assertNonEmptyString(`${caller}: options.outputName`, options.outputName);
  const runtime = await loadOnnxRuntime();
  const sessionOptions = { executionProviders: options.executionProviders ?? ['cpu'] };
  let session: InferenceSession;
  try {
    session =
      typeof modelPath === 'string'
        ? await runtime.InferenceSession.create(modelPath, sessionOptions)
        : await runtime.InferenceSession.create(modelPath, sessionOptions);
  } catch (error) {
    // onnxruntime says `Load model from <path> failed:<reason>`: one line naming the file.
    const name = typeof modelPath === 'string' ? modelPath : `${modelPath.length} bytes`;
    const reason = (error as Error).message.replace(/^Load model from .*? failed:/, '').trim();
    throw new Error(`${caller}: ${name} is not a readable ONNX model (${reason})`, {
      cause: error,
    });
  }
  const inputName = options.inputName ?? session.inputNames[0];
  const outputName = options.outputName ?? session.outputNames[0];
  if (inputName === undefined || !session.inputNames.includes(inputName)) {
    await session.release();
    throw new RangeError(
      `${caller}: options.inputName must be one of the model's inputs (${session.inputNames.join(', ')}), got ${describeValue(inputName)}`,
    );
  }
  if (outputName === undefined || !session.outputNames.includes(outputName)) {
    await session.release();
    throw new RangeError(
      `${caller}: options.outputName must be one of the model's outputs (${session.outputNames.join(', ')}), got ${describeValue(outputName)}`,
    );
  }
  let released = false;
  return {
    inputName,
    outputName,
    batchSize,
    async run(batch, shape) {
      if (released) throw new Error(`${caller}: the extractor was disposed`);
      const count = shape[0] as number;
      const feeds = { [inputName]: new runtime.Tensor('float32', batch, [...shape]) };
      const results = await session.run(feeds, [outputName]);
      const output = results[outputName];
      if (!output) throw new Error(`${caller}: the model returned no ${outputName}`);
      const dims = output.dims;
      if (dims[0] !== count) {
        throw new RangeError(
          `${caller}: output ${outputName} has shape [${dims.join(', ')}]; its first axis must be the batch (${count})`,
        );
      }
      const width = dims.slice(1).reduce((product, size) => product * size, 1);
      const values = output.data;
      const data =
        values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
      output.dispose();
      return { data, width };
    },
    async release() {
      if (released) return;
      released = true;
      await session.release();
    },
  };
}

/**
 * Runs `session` over `count` inputs in batches of `session.batchSize`, `fill(batch, start,
 * size)` writing inputs `start .. start + size - 1` into `batch` (shape `[size, ...sampleShape]`).
 *
 * @example await extractInBatches(session, 100, [3, 299, 299], (batch, start, size) => batch.set(images.subarray(...)))
 */
export async function extractInBatches(
  session: OnnxFeatureSession,
  count: number,
  sampleShape: readonly number[],
  fill: (batch: Float32Array, start: number, size: number) => void,
): Promise<{ data: Float32Array; shape: [number, number] }> {
  const sampleSize = sampleShape.reduce((product, size) => product * size, 1);
  let output: Float32Array | undefined;
  let width = 0;
  for (let start = 0; start < count; start += session.batchSize) {
    const size = Math.min(session.batchSize, count - start);
    const batch = new Float32Array(size * sampleSize);
    fill(batch, start, size);
    const result = await session.run(batch, [size, ...sampleShape]);
    if (!output) {
      width = result.width;
      output = new Float32Array(count * width);
    }
    output.set(result.data, start * width);
  }
  return { data: output ?? new Float32Array(0), shape: [count, width] };
}
