import type { WebGpuLike } from './webgpu-adapter.js';

/**
 * Where Debian's and Ubuntu's chromium keep SwiftShader's Vulkan driver manifest: a Vulkan
 * implementation on the CPU that Dawn accepts (Debian's lavapipe lacks a feature Dawn needs).
 */
export const SWIFTSHADER_VULKAN_DRIVER = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The folders where the Vulkan loader looks for driver manifests on Linux. */
const VULKAN_DRIVER_FOLDERS = [
  '/etc/vulkan/icd.d',
  '/usr/share/vulkan/icd.d',
  '/usr/local/etc/vulkan/icd.d',
  '/usr/local/share/vulkan/icd.d',
];

/** The folders where Linux keeps the Vulkan loader, `libvulkan.so.1`. */
const VULKAN_LOADER_FOLDERS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
];

/** The `node:fs` functions used here, loaded at run time so that the main entry stays browser-safe. */
async function fileSystem(): Promise<typeof import('node:fs')> {
  const specifier = 'node:fs';
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
}

/**
 * The Vulkan drivers the loader would find on Linux: `VK_ICD_FILENAMES` / `VK_DRIVER_FILES` when
 * set, else the manifests in the standard folders. Empty elsewhere (Dawn uses Metal or D3D12).
 */
export async function vulkanDrivers(): Promise<string[]> {
  if (process.platform !== 'linux') return [];
  const named = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
  if (named) return named.split(':').filter((path) => path !== '');
  const { existsSync, readdirSync } = await fileSystem();
  return VULKAN_DRIVER_FOLDERS.filter((folder) => existsSync(folder)).flatMap((folder) =>
    readdirSync(folder)
      .filter((file) => file.endsWith('.json'))
      .map((file) => `${folder}/${file}`),
  );
}

/**
 * The device files through which a Vulkan driver reaches a GPU on Linux: DRM render nodes
 * (`/dev/dri/renderD*`: Intel, AMD, ...), NVIDIA's (`/dev/nvidia0`, ...) and WSL's (`/dev/dxg`).
 * Without one, the only drivers that can give an adapter are software ones.
 */
async function gpuDeviceFiles(): Promise<string[]> {
  const { existsSync, readdirSync } = await fileSystem();
  const inFolder = (folder: string, pattern: RegExp) =>
    existsSync(folder)
      ? readdirSync(folder)
          .filter((file) => pattern.test(file))
          .map((file) => `${folder}/${file}`)
      : [];
  return [...inFolder('/dev/dri', /^renderD\d+$/), ...inFolder('/dev', /^(nvidia\d+|dxg)$/)];
}

/** Whether the Vulkan loader can be found in the standard library folders or `LD_LIBRARY_PATH`. */
async function vulkanLoaderFound(): Promise<boolean> {
  const { existsSync } = await fileSystem();
  const folders = [...(process.env.LD_LIBRARY_PATH ?? '').split(':'), ...VULKAN_LOADER_FOLDERS];
  return folders.some((folder) => folder !== '' && existsSync(`${folder}/libvulkan.so.1`));
}

/** The `webgpu` package (Dawn): `create(flags)` returns a `navigator.gpu`; `globals` its classes. */
interface DawnModule {
  create(flags: string[]): WebGpuLike;
  globals: Record<string, unknown>;
}

let dawn: Promise<DawnModule> | undefined;

/** Loads the `webgpu` package once, by a run-time import (an optional peer dependency). */
async function loadDawn(): Promise<DawnModule> {
  const specifier = 'webgpu';
  dawn ??= import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<DawnModule>;
  try {
    return await dawn;
  } catch (error) {
    dawn = undefined;
    const message = (error as Error).message.split('\n')[0] ?? String(error);
    throw new Error(
      /Cannot find (module|package)/.test(message)
        ? 'the webgpu package is not installed'
        : message,
    );
  }
}

/** Why Dawn found no adapter on Linux, in a few words with the fix. */
async function noAdapterReason(askedSystemDrivers: boolean): Promise<string> {
  if (process.platform !== 'linux') return 'Dawn found no WebGPU adapter';
  if (!(await vulkanLoaderFound())) {
    return 'no Vulkan loader (libvulkan.so.1; apt-get install libvulkan1)';
  }
  const drivers = await vulkanDrivers();
  if (drivers.length === 0) {
    return 'no Vulkan driver installed (no manifest in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d)';
  }
  return askedSystemDrivers
    ? `no Vulkan driver Dawn accepts among ${drivers.join(', ')}`
    : 'no GPU device (/dev/dri/renderD*, /dev/nvidia*, /dev/dxg) for the Vulkan drivers installed';
}

/** A GPU from Dawn, or why there is none, with the Vulkan drivers the system offered. */
export type NodeWebGpu = { systemDrivers: string[] } & (
  | { gpu: WebGpuLike; driver: 'system' | 'swiftshader' }
  | { gpu: undefined; reason: string }
);

let search: Promise<NodeWebGpu> | undefined;

/**
 * A `navigator.gpu` for Node from the `webgpu` package (Dawn: Vulkan on Linux, Metal on macOS,
 * D3D12 on Windows), with an adapter; looked for once per process. On Linux, when the system's
 * Vulkan drivers give none, it retries with chromium's SwiftShader driver if that is installed
 * (`SWIFTSHADER_VULKAN_DRIVER`; it sets `VK_ICD_FILENAMES` and `NODEVICE_SELECT` for this
 * process): a software adapter, which `selectBackend('auto')` names and passes over. It asks the
 * system's drivers only where a GPU device file exists or `VK_ICD_FILENAMES` names them, so that
 * a GPU-less machine with mesa's Vulkan drivers prints no driver warnings. Without an adapter it
 * says why (no loader, no driver, no GPU device) in a few words.
 *
 * @example const found = await nodeWebGpu(); // { gpu, driver: 'swiftshader', ... } on a GPU-less Linux
 */
export function nodeWebGpu(): Promise<NodeWebGpu> {
  search ??= findNodeWebGpu().catch((error: Error) => {
    search = undefined;
    throw error;
  });
  return search;
}

async function findNodeWebGpu(): Promise<NodeWebGpu> {
  const { create } = await loadDawn();
  const linux = process.platform === 'linux';
  const systemDrivers = await vulkanDrivers();
  const named = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
  // Dawn asked without a driver manifest, or with drivers but no GPU for them (mesa's lavapipe,
  // which Dawn rejects; Intel's or AMD's without their hardware), gives no adapter and prints
  // warnings into the command's output: ask it only when a driver could find hardware, or when
  // the drivers were named.
  const askSystemDrivers =
    !linux ||
    (systemDrivers.length > 0 && (named !== undefined || (await gpuDeviceFiles()).length > 0));
  if (askSystemDrivers) {
    const gpu = create([]);
    if ((await gpu.requestAdapter()) !== null) return { systemDrivers, gpu, driver: 'system' };
  }
  const reason = await noAdapterReason(askSystemDrivers);
  const { existsSync } = await fileSystem();
  if (!linux || named || !existsSync(SWIFTSHADER_VULKAN_DRIVER) || !(await vulkanLoaderFound())) {
    return { systemDrivers, gpu: undefined, reason };
  }
  const environment = { VK_ICD_FILENAMES: SWIFTSHADER_VULKAN_DRIVER, ...deviceSelectOff() };
  Object.assign(process.env, environment);
  const gpu = create([]);
  if ((await gpu.requestAdapter()) !== null) return { systemDrivers, gpu, driver: 'swiftshader' };
  for (const name of Object.keys(environment)) delete process.env[name];
  return { systemDrivers, gpu: undefined, reason };
}

/**
 * `NODEVICE_SELECT=1` unless the caller set it: turns off mesa's implicit Vulkan layer that
 * picks the display's GPU, which with no display server prints "XDG_RUNTIME_DIR is invalid or
 * not set" twice per Vulkan instance; there is one device here, SwiftShader's.
 */
function deviceSelectOff(): { NODEVICE_SELECT?: string } {
  return process.env.NODEVICE_SELECT === undefined ? { NODEVICE_SELECT: '1' } : {};
}

/**
 * Makes `gpu` the process's `navigator.gpu` and Dawn's WebGPU classes globals (`GPUBufferUsage`,
 * ...), as tfjs-backend-webgpu expects them in a browser. Call before importing that package.
 */
export async function installNodeWebGpu(gpu: WebGpuLike): Promise<void> {
  const { globals } = await loadDawn();
  Object.assign(globalThis, globals);
  const scope = globalThis as { navigator?: object };
  if (scope.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  } else {
    Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
  }
}
