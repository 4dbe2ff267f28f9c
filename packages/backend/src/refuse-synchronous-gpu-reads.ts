/** The part of tfjs-webgpu's backend that reads a tensor synchronously. */
interface SynchronousReader {
  readSync(dataId: object): unknown;
  tensorMap: { get(dataId: object): { values?: unknown } | undefined };
}

/**
 * Makes a synchronous read of a tensor that lives on the GPU (`dataSync`, `arraySync`) fail with
 * one line naming the fix. tfjs-webgpu reads synchronously by drawing into `OffscreenCanvas`
 * contexts of its device: Node has none ("OffscreenCanvas is not defined"), and in chromium (on
 * its SwiftShader adapter) the device is lost after such a read, so that the next upload or read
 * fails ("createBuffer failed, size (4000) is too large for the implementation when
 * mappedAtCreation == true", "A valid external Instance reference no longer exists"). Values
 * already on the CPU (after an `await tensor.data()`) are still returned.
 */
export function refuseSynchronousGpuReads(backend: object): void {
  const reader = backend as SynchronousReader;
  const readSync = reader.readSync.bind(reader);
  reader.readSync = (dataId) => {
    if (reader.tensorMap.get(dataId)?.values != null) return readSync(dataId);
    throw new Error(
      'webgpu reads tensors only asynchronously: use await tensor.data() or tensor.array(), not dataSync() or arraySync()',
    );
  };
}
