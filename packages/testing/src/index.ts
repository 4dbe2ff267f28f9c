export {
  directionalDerivatives,
  identical,
  maxAbs,
  moments,
  relativeError,
  snapshot,
} from './compare.js';
export { TINY_CONDITIONAL_UNET, TINY_UNET } from './networks.js';
export { normalRows, randomInteger, randomValues, seededRandom } from './random.js';
