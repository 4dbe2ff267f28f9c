import { parentPort, Worker } from 'node:worker_threads';

/**
 * How long a `WorkerPool` waits for its workers' answers. A worker that exits or throws stops
 * the pool at once (its 'exit' and 'error' events); these limits catch one that hangs.
 */
export interface WorkerTimeouts {
  /** Start-up and the first job of each kind (compilation, first allocations); default 10 minutes. */
  firstJobMs?: number;
  /**
   * A later job may take `factor` times the longest that its kind took so far, and at least
   * `minimumMs`: default 20 times, at least 30 s.
   */
  factor?: number;
  minimumMs?: number;
}

/** A job's message to a worker: its number, kind and input. */
export interface WorkerJobMessage {
  job: number;
  kind: string;
  input: unknown;
}

/** A worker's answer to a job: the answer, or the message of the error it threw. */
export type WorkerAnswerMessage = { job: number; answer: unknown } | { job: number; error: string };

/** Worker threads that each answer one job at a time (`startWorkerPool`). */
export interface WorkerPool {
  readonly count: number;
  /**
   * Posts `inputs[i]` as a job of `kind` to worker `i` and resolves with their answers in the
   * same order. Rejects with one line naming the worker when one throws, exits, fails or does
   * not answer in time; the pool then stops every worker and refuses further jobs.
   */
  run<Answer>(kind: string, inputs: readonly unknown[]): Promise<Answer[]>;
  /** Stops the workers. */
  dispose(): void;
}

/**
 * Starts one worker thread per entry of `workerData` from `script` (a module next to this one,
 * e.g. `'distill-worker'`: the built `.js` file, or from the package's TypeScript sources the
 * `.ts` file through tsx's loader), waits until each says 'ready', and returns the pool. `name`
 * names the workers in errors ("distill worker 2 exited with code 1 during a critic job").
 *
 * @example const pool = await startWorkerPool('distill-worker', [data, data], 'distill worker');
 */
export async function startWorkerPool(
  script: string,
  workerData: readonly unknown[],
  name: string,
  timeouts: WorkerTimeouts = {},
): Promise<WorkerPool> {
  const firstJobMs = timeouts.firstJobMs ?? 600_000;
  const factor = timeouts.factor ?? 20;
  const minimumMs = timeouts.minimumMs ?? 30_000;
  const workers = workerData.map((data) => spawnWorker(script, data));
  const label = (index: number) => `${name} ${index + 1}`;
  let failure: Error | undefined;
  let disposed = false;
  /** The rejecters of the waits in progress (`untilFailure`): the first failure rejects them. */
  const waits = new Set<(error: Error) => void>();
  /**
   * `promise`, or a rejection with the pool's first failure if that comes first. Each wait races
   * its own promise of the failure and forgets it when it ends: a race against one long-lived
   * promise would leave a reaction on it per job, each keeping that job's answers alive (about
   * 1 MB per f-distill step).
   */
  const untilFailure = async <Value>(promise: Promise<Value>): Promise<Value> => {
    if (failure !== undefined) throw failure;
    let rejectWait: (error: Error) => void = () => {};
    const failed = new Promise<never>((_, reject) => {
      rejectWait = reject;
    });
    waits.add(rejectWait);
    try {
      return await Promise.race([promise, failed]);
    } finally {
      waits.delete(rejectWait);
    }
  };
  const stop = () => {
    disposed = true;
    for (const worker of workers) void worker.terminate();
  };
  const fail = (error: Error) => {
    if (failure !== undefined || disposed) return;
    failure = error;
    stop();
    for (const reject of waits) reject(error);
  };
  let running: { kind: string; answered: boolean[] } | undefined;
  const during = (index: number) =>
    running?.answered[index] === false ? ` during a ${running.kind} job` : '';
  workers.forEach((worker, index) => {
    worker.on('error', (error: Error) =>
      fail(new Error(`${label(index)} failed${during(index)}: ${error.message ?? String(error)}`)),
    );
    worker.on('exit', (code: number) =>
      fail(new Error(`${label(index)} exited with code ${code}${during(index)}`)),
    );
  });

  const ready = workers.map(
    (worker, index) =>
      new Promise<void>((resolve) => {
        worker.once('message', (message: unknown) => {
          if (message === 'ready') resolve();
          else {
            const text = (message as { error?: string }).error ?? String(message);
            fail(new Error(`${label(index)} could not start: ${text}`));
          }
        });
      }),
  );
  try {
    await withTimeout(
      untilFailure(Promise.all(ready)),
      firstJobMs,
      () => new Error(`${name}s did not start within ${Math.round(firstJobMs / 1000)} s`),
    );
  } catch (error) {
    stop();
    throw failure ?? error;
  }
  for (const worker of workers) worker.unref();

  let jobNumber = 0;
  const longest = new Map<string, number>();
  const runJobs = async <Answer>(kind: string, inputs: readonly unknown[]): Promise<Answer[]> => {
    if (failure !== undefined) throw failure;
    if (disposed) throw new Error(`${name}s used after dispose()`);
    if (inputs.length > workers.length) {
      throw new RangeError(`${name}s: ${inputs.length} jobs for ${workers.length} workers`);
    }
    jobNumber += 1;
    const job = jobNumber;
    const started = performance.now();
    const answered = inputs.map(() => false);
    running = { kind, answered };
    const answers = inputs.map(
      (input, index) =>
        new Promise<Answer>((resolve, reject) => {
          const worker = workers[index] as Worker;
          const listen = (message: WorkerAnswerMessage) => {
            if (message.job !== job) return;
            worker.off('message', listen);
            answered[index] = true;
            if ('error' in message) reject(new Error(`${label(index)}: ${message.error}`));
            else resolve(message.answer as Answer);
          };
          worker.on('message', listen);
          worker.postMessage({ job, kind, input } satisfies WorkerJobMessage);
        }),
    );
    const seen = longest.get(kind);
    const limit = seen === undefined ? firstJobMs : Math.max(minimumMs, factor * seen);
    try {
      // The timer also keeps the event loop alive while the (unreferenced) workers compute.
      const values = await withTimeout(
        untilFailure(Promise.all(answers)),
        limit,
        () =>
          new Error(
            `${label(answered.indexOf(false))} did not answer a ${kind} job within ${Math.round(limit / 1000)} s${seen === undefined ? '' : ` (${factor} times the longest such job so far)`}`,
          ),
      );
      longest.set(kind, Math.max(seen ?? 0, performance.now() - started));
      return values;
    } catch (error) {
      fail(error as Error);
      throw failure ?? error;
    } finally {
      running = undefined;
    }
  };
  return {
    count: workers.length,
    run<Answer>(kind: string, inputs: readonly unknown[]): Promise<Answer[]> {
      const answers = runJobs<Answer>(kind, inputs);
      // The caller may throw on its own slice before it awaits: no unhandled rejection then.
      answers.catch(() => {});
      return answers;
    },
    dispose() {
      if (!disposed) stop();
    },
  };
}

/** `promise`, or a rejection with `error()` after `ms` milliseconds. */
function withTimeout<Value>(
  promise: Promise<Value>,
  ms: number,
  error: () => Error,
): Promise<Value> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts the worker script `script` next to this module: the built `.js` file, or, when this
 * module runs from its TypeScript source (the package's tests), the `.ts` source through tsx's
 * loader.
 */
function spawnWorker(script: string, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL(`./${script}.js`, import.meta.url), { workerData });
  }
  const source = new URL(`./${script}.ts`, import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** What a worker needs to set up tfjs as the calling thread has it. */
export interface WorkerTfjsSetup {
  /** Modules imported first, in order (tfjs with its gradient functions). */
  imports: string[];
  /** A module exporting `selectBackend(name)`, and the backend's name. */
  backendModule: string;
  backendName: string;
  /** Whether the calling thread runs tfjs in production mode (no banner, fewer checks). */
  productionMode: boolean;
}

/**
 * Inside a worker: imports tfjs, switches on production mode when the calling thread did, and
 * selects the calling thread's backend. Modules that use tfjs are imported after it.
 */
export async function setUpWorkerTfjs(setup: WorkerTfjsSetup): Promise<void> {
  for (const specifier of setup.imports) await import(specifier);
  if (setup.productionMode) (await import('@tensorflow/tfjs-core')).enableProdMode();
  const { selectBackend } = (await import(setup.backendModule)) as {
    selectBackend: (name: string) => Promise<unknown>;
  };
  await selectBackend(setup.backendName);
}

/** A worker's answer to one job, with the buffers it hands over without a copy. */
export interface WorkerJobAnswer {
  answer: unknown;
  transfer: ArrayBuffer[];
}

/**
 * The worker side of a pool: runs `start` (set up tfjs, build the networks), then answers each
 * job message with what the returned function gives for it, or with the message of the error it
 * throws, after saying 'ready'. A failing `start` is reported to the pool, which names the worker.
 *
 * @example serveWorkerJobs(async () => { await setUpWorkerTfjs(data); return (kind, input) => ({ answer: input, transfer: [] }); });
 */
export function serveWorkerJobs(
  start: () => Promise<(kind: string, input: unknown) => WorkerJobAnswer>,
): void {
  start().then(
    (answer) => {
      parentPort?.on('message', (message: WorkerJobMessage) => {
        let reply: WorkerAnswerMessage;
        let transfer: ArrayBuffer[] = [];
        try {
          const answered = answer(message.kind, message.input);
          reply = { job: message.job, answer: answered.answer };
          transfer = answered.transfer;
        } catch (error) {
          reply = { job: message.job, error: (error as Error).message ?? String(error) };
        }
        parentPort?.postMessage(reply, transfer);
      });
      parentPort?.postMessage('ready');
    },
    (error: Error) => {
      parentPort?.postMessage({ error: error.message ?? String(error) });
    },
  );
}

/**
 * Checks the options every pool starter shares before any thread starts: `imports` (module
 * URLs) and `backend` (`{ module, name }`), naming `caller` in the error.
 */
export function checkWorkerSetupOptions(
  caller: string,
  imports: unknown,
  backend: { module?: unknown; name?: unknown } | undefined,
): void {
  if (!Array.isArray(imports) || imports.some((specifier) => typeof specifier !== 'string')) {
    throw new TypeError(
      `${caller}: imports must be an array of module URLs, e.g. [import.meta.resolve("@tensorflow/tfjs")]`,
    );
  }
  if (typeof backend?.module !== 'string' || typeof backend?.name !== 'string') {
    throw new TypeError(
      `${caller}: backend must be { module, name }, e.g. { module: import.meta.resolve("@fdistill/backend"), name: "wasm" }`,
    );
  }
}
