export { installWasmKernels, WASM_KERNEL_NAMES } from './install-wasm-kernels.js';
export { installWebGpuKernels, WEBGPU_KERNEL_NAMES } from './install-webgpu-kernels.js';
export { installLeanGradients, uninstallLeanGradients } from './lean-gradients.js';
export {
  type NodeWebGpu,
  nodeWebGpu,
  SWIFTSHADER_VULKAN_DRIVER,
  vulkanDrivers,
} from './node-webgpu.js';
export {
  BACKEND_NAMES,
  type BackendChoice,
  type BackendFailures,
  type BackendName,
  BROWSER_BACKEND_ORDER,
  installHints,
  NODE_BACKEND_ORDER,
  runsInNode,
  type SelectBackendOptions,
  selectBackend,
} from './select-backend.js';
export { softwareWebGlRenderer } from './software-webgl.js';
export {
  SUPPORTED_TFJS_CORE,
  type TfjsPatchSupport,
  tfjsPatchSupport,
} from './tfjs-patch-support.js';
export {
  describeWebGpuAdapter,
  requestWebGpuAdapter,
  type WebGpuAdapterDescription,
  type WebGpuAdapterLike,
  type WebGpuLike,
  webGpuAdapterLine,
} from './webgpu-adapter.js';
