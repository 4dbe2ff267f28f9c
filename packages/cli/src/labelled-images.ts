import { FASHION_MNIST_SIZE } from './fashion-mnist.js';

/** Grey 28x28 images [N, 28, 28, 1] in [-1, 1], with the label each one was drawn for when known. */
export interface LabelledImages {
  images: Float32Array;
  count: number;
  labels?: number[];
}

/** Values in one 28x28 grey image. */
export const IMAGE_VALUES = FASHION_MNIST_SIZE * FASHION_MNIST_SIZE;
