import { assertFiniteNumber, assertIntegerAtLeast } from '@fdistill/utils';
import type { ArrayInput } from './array-input.js';
import type { FeatureArray, FeatureExtractor } from './feature-extractor.js';
import { type ImageLayout, pixelLevel, pixelValue, readImageBatch } from './image-batch.js';
import { extractInBatches, type OnnxModelOptions, openOnnxFeatureSession } from './onnx-session.js';
import { resizeBilinear } from './resize-bilinear.js';

/** Options of `createInceptionFeatureExtractor`; the defaults fit the README's export script. */
export interface InceptionFeatureExtractorOptions extends OnnxModelOptions {
  /** Axis order the model's input expects; default `'NCHW'` (a PyTorch export). */
  modelLayout?: ImageLayout;
  /** The model's input values for black and white; default `[0, 1]` (pytorch-fid's Inception). */
  inputRange?: readonly [number, number];
  /** Side of the square model input; default 299. */
  imageSize?: number;
  /** Round samples to 8-bit levels first, as when they are saved as PNG (EDM); default true. */
  quantize?: boolean;
  /** Axis order of the images given to `extract`; default `'NHWC'`. */
  imageLayout?: ImageLayout;
}

/**
 * The standard FID network: Inception-v3 pool3 features (2048 per image) from an ONNX export
 * that the user supplies (see the README for a five-line export of pytorch-fid's FID
 * Inception; nothing downloads). `extract(images)` takes images with values in [-1, 1]
 * (generator outputs), 1 or 3 channels (grey is repeated), any size, and for each one: rounds to
 * 8-bit levels like a saved PNG (`quantize`), resizes bilinearly to `imageSize` (half-pixel
 * centres, like PyTorch), maps levels 0..255 onto `inputRange` and lays it out as `modelLayout`.
 *
 * @example
 * const inception = await createInceptionFeatureExtractor({ modelPath: 'pt-inception-2015-12-05.onnx' });
 * const features = await inception.extract({ data: samples, shape: [n, 32, 32, 3] });
 * const fid = frechetDistanceFromStats(await featureStatsFromNpz(await readFile('cifar10-train.npz')), featureStats(features));
 */
export async function createInceptionFeatureExtractor(
  options: InceptionFeatureExtractorOptions,
): Promise<FeatureExtractor> {
  const caller = 'createInceptionFeatureExtractor';
  const modelLayout = options?.modelLayout ?? 'NCHW';
  const imageLayout = options?.imageLayout ?? 'NHWC';
  const [black, white] = options?.inputRange ?? [0, 1];
  const imageSize = options?.imageSize ?? 299;
  const quantize = options?.quantize ?? true;
  for (const [name, layout] of [
    ['modelLayout', modelLayout],
    ['imageLayout', imageLayout],
  ] as const) {
    if (layout !== 'NCHW' && layout !== 'NHWC') {
      throw new RangeError(
        `${caller}: options.${name} must be 'NCHW' or 'NHWC', got ${JSON.stringify(layout)}`,
      );
    }
  }
  assertFiniteNumber(`${caller}: options.inputRange[0]`, black);
  assertFiniteNumber(`${caller}: options.inputRange[1]`, white);
  assertIntegerAtLeast(`${caller}: options.imageSize`, imageSize, 1);
  const session = await openOnnxFeatureSession(caller, { batchSize: 32, ...options });
  const size = imageSize;
  const sampleShape = modelLayout === 'NCHW' ? [3, size, size] : [size, size, 3];
  return {
    async extract(input: ArrayInput): Promise<FeatureArray> {
      const images = readImageBatch(
        'InceptionFeatureExtractor.extract(images): images',
        input,
        imageLayout,
      );
      const { height, width, channels } = images;
      const levels = new Float32Array(height * width * 3);
      return extractInBatches(session, images.count, sampleShape, (batch, start, count) => {
        for (let n = 0; n < count; n++) {
          for (let y = 0; y < height; y++) {
            for (let x = 0; x < width; x++) {
              for (let c = 0; c < 3; c++) {
                const value = pixelValue(images, start + n, y, x, channels === 1 ? 0 : c);
                levels[(y * width + x) * 3 + c] = quantize
                  ? pixelLevel(value)
                  : value * 127.5 + 127.5;
              }
            }
          }
          const resized = resizeBilinear(levels, height, width, 3, size, size);
          const offset = n * 3 * size * size;
          for (let index = 0; index < size * size; index++) {
            for (let c = 0; c < 3; c++) {
              const value = black + ((resized[index * 3 + c] as number) / 255) * (white - black);
              const target = modelLayout === 'NCHW' ? c * size * size + index : index * 3 + c;
              batch[offset + target] = value;
            }
          }
        }
      });
    },
    dispose: () => session.release(),
  };
}
