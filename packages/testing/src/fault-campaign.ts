import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors } from '@fdistill/score';
import { seededUniform } from '@fdistill/utils';

/** The signals a campaign sends; SIGINT and SIGTERM ask for a checkpoint first, SIGKILL ends at once. */
export const FAULT_SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT'] as const;

/** One signal sent to a training process. */
export interface InjectedFault {
  run: number;
  signal: (typeof FAULT_SIGNALS)[number];
  /** Milliseconds after the process named its run folder (tfjs loaded, about to train). */
  afterMilliseconds: number;
  /** Whether the kill was timed on a temporary checkpoint file being present. */
  duringCheckpointWrite: boolean;
  /** Exit code, or the signal that ended the process. */
  outcome: string;
}

/** What a fault campaign found. */
export interface FaultCampaignResult {
  faultsInjected: number;
  /** Processes started with --resume (or again from scratch when killed before a checkpoint). */
  resumed: number;
  /** Runs started over because they were killed before their first checkpoint. */
  restartedFromScratch: number;
  runs: number;
  /**
   * Runs whose summary.json and checkpoint (both less wall time) and samples.png equal the
   * reference run's.
   */
  identical: number;
  /** Runs whose metrics.jsonl holds every step once, in order. */
  metricsConsistent: number;
  /** Files of a run folder missing at the end (config, checkpoint, metrics, samples, summary). */
  filesLost: number;
  /** Temporary files left in run folders at the end. */
  strayTemporaryFiles: number;
  faults: InjectedFault[];
}

/** Options of `runFaultCampaign`. */
export interface FaultCampaignOptions {
  /** The built CLI (`packages/cli/dist/main.js`). */
  binary: string;
  /** A scratch folder for the runs (the caller removes it). */
  folder: string;
  faults: number;
  seed: number;
  /** Faults sent to one run before it is left to finish (default 3). */
  faultsPerRun?: number;
  /** Distillation steps of each run (default 120). */
  steps?: number;
  /** Backend flag for the runs (default cpu). */
  backend?: string;
  /** Called after each fault, for progress. */
  onFault?: (fault: InjectedFault) => void;
}

/** The files every finished run folder holds. */
const EXPECTED_FILES = [
  'config.json',
  'checkpoint.safetensors',
  'metrics.jsonl',
  'samples.png',
  'summary.json',
];

/**
 * A shortened ring8 config (small networks and batches: the cpu backend takes seconds). The
 * campaign's default checkpoints every 2 steps, so that kills land during writes too.
 */
export function smallRing8Config(
  steps: number,
  {
    evaluationEvery = 20,
    checkpointEvery = 2,
    studentWarmStartSteps = 5,
    evaluationSamples = 200,
  } = {},
): string {
  return [
    'preset: ring8',
    `steps: ${steps}`,
    'batchSize: 32',
    'networkWidth: 16',
    'networkDepth: 2',
    'discriminatorWidth: 16',
    'discriminatorDepth: 2',
    'fakeScorePrefitSteps: 5',
    `studentWarmStartSteps: ${studentWarmStartSteps}`,
    'studentWarmStartPairs: 64',
    `evaluationSamples: ${evaluationSamples}`,
    `evaluationEvery: ${evaluationEvery}`,
    `checkpointEvery: ${checkpointEvery}`,
  ].join('\n');
}

/** Runs the CLI once; resolves with its exit code (or the signal that ended it). */
function runCli(
  binary: string,
  args: string[],
  kill?: { afterMilliseconds: number; signal: NodeJS.Signals; watchFolder?: string },
): Promise<{ outcome: string; millisecondsAfterStart: number; duringCheckpointWrite: boolean }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, [binary, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // The clock starts when the run folder is named (tfjs loaded, the run about to train).
    let started: number | undefined;
    let stderr = '';
    let duringCheckpointWrite = false;
    const timers: NodeJS.Timeout[] = [];
    const send = () => {
      if (child.exitCode === null && child.signalCode === null && kill) child.kill(kill.signal);
    };
    const arm = () => {
      if (!kill) return;
      if (kill.watchFolder === undefined) {
        timers.push(setTimeout(send, kill.afterMilliseconds));
        return;
      }
      // After the delay, poll for a temporary checkpoint file and kill while it is there.
      const folder = kill.watchFolder;
      const poll = setInterval(() => {
        if (performance.now() - (started as number) < kill.afterMilliseconds) return;
        let entries: string[] = [];
        try {
          entries = readdirSync(folder);
        } catch {
          return;
        }
        if (entries.some((entry) => entry.endsWith('.tmp'))) {
          duringCheckpointWrite = true;
          clearInterval(poll);
          send();
        }
      }, 1);
      timers.push(poll);
    };
    child.stderr?.on('data', (chunk) => {
      if (started !== undefined) return;
      stderr += chunk;
      if (stderr.includes('run folder:')) {
        started = performance.now();
        arm();
      }
    });
    child.on('close', (code, signal) => {
      for (const timer of timers) clearTimeout(timer);
      resolve({
        outcome: signal ?? String(code),
        millisecondsAfterStart: started === undefined ? 0 : performance.now() - started,
        duringCheckpointWrite,
      });
    });
  });
}

/** summary.json without the fields that measure time. */
function comparableSummary(folder: string): string | undefined {
  const path = join(folder, 'summary.json');
  if (!existsSync(path)) return undefined;
  const { wallSeconds: _wallSeconds, ...rest } = JSON.parse(readFileSync(path, 'utf8'));
  return JSON.stringify(rest);
}

/**
 * A checkpoint's tensors and state less its wall time, as one string: two runs that trained the
 * same steps give the same string, however often they were interrupted.
 */
export function comparableCheckpoint(path: string): string {
  const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(path)));
  const { wallSeconds: _wallSeconds, ...state } = JSON.parse(metadata.fdistill ?? '{}');
  const parts = [JSON.stringify(state)];
  for (const [name, tensor] of [...tensors].sort(([a], [b]) => a.localeCompare(b))) {
    parts.push(name, Buffer.from(tensor.data.buffer).toString('base64'));
  }
  return parts.join('\n');
}

/** Whether metrics.jsonl holds steps 0 .. steps-1 once each, in order, and each evaluation once. */
export function metricsAreConsistent(folder: string, steps: number): boolean {
  const path = join(folder, 'metrics.jsonl');
  if (!existsSync(path)) return false;
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  let records: Array<{ step: number; phase?: string }>;
  try {
    records = lines.map((line) => JSON.parse(line));
  } catch {
    return false;
  }
  const stepIndices = records.filter((record) => record.phase !== 'evaluation');
  const evaluations = records.filter((record) => record.phase === 'evaluation');
  return (
    stepIndices.length === steps &&
    stepIndices.every((record, index) => record.step === index) &&
    new Set(evaluations.map((record) => record.step)).size === evaluations.length
  );
}

/**
 * The arguments of `fdistill distill` for a new run of `config` into `out` on `backend`.
 *
 * @example runBuiltCli(newRunArguments('small.yaml', 'out', 'cpu'));
 */
export function newRunArguments(config: string, out: string, backend: string): string[] {
  return ['distill', '--config', config, '--out', out, '--backend', backend];
}

/**
 * A fault campaign: an uninterrupted reference run of a shortened ring8 config, then runs of the
 * same config killed `faultsPerRun` times each with SIGKILL, SIGTERM or SIGINT at random times
 * (a third timed on a temporary checkpoint file, i.e. during a checkpoint write) and resumed
 * until they finish. Each finished run is compared with the reference: summary.json and the checkpoint
 * (tensors and state) less wall time, samples.png byte for byte, metrics.jsonl with every step once, no temporary files left.
 *
 * @example const result = await runFaultCampaign({ binary, folder, faults: 30, seed: 1 });
 */
export async function runFaultCampaign(
  options: FaultCampaignOptions,
): Promise<FaultCampaignResult> {
  const { binary, folder, faults, seed, faultsPerRun = 3, steps = 120, backend = 'cpu' } = options;
  const random = seededUniform(seed);
  const config = join(folder, 'campaign.yaml');
  writeFileSync(config, smallRing8Config(steps));
  const newRun = (out: string) => newRunArguments(config, out, backend);
  const reference = join(folder, 'reference');
  const referenceRun = await runCli(binary, newRun(reference));
  if (referenceRun.outcome !== '0') {
    throw new Error(`fault campaign: the reference run failed (${referenceRun.outcome})`);
  }
  const referenceSummary = comparableSummary(reference);
  const referenceCheckpoint = comparableCheckpoint(join(reference, 'checkpoint.safetensors'));
  const referenceSamples = readFileSync(join(reference, 'samples.png'));
  const result: FaultCampaignResult = {
    faultsInjected: 0,
    resumed: 0,
    restartedFromScratch: 0,
    runs: 0,
    identical: 0,
    metricsConsistent: 0,
    filesLost: 0,
    strayTemporaryFiles: 0,
    faults: [],
  };
  for (let run = 0; result.faultsInjected < faults; run++) {
    const out = join(folder, `run-${run}`);
    result.runs++;
    let faultsLeft = Math.min(faultsPerRun, faults - result.faultsInjected);
    let started = false;
    for (;;) {
      const hasCheckpoint = existsSync(join(out, 'checkpoint.safetensors'));
      if (started && !hasCheckpoint) {
        // Killed before its first checkpoint: nothing to resume, start over.
        rmSync(out, { recursive: true, force: true });
        result.restartedFromScratch++;
      }
      const args =
        started && hasCheckpoint ? ['distill', '--resume', out, '--backend', backend] : newRun(out);
      if (started) result.resumed++;
      started = true;
      if (faultsLeft === 0) {
        const finished = await runCli(binary, args);
        if (finished.outcome !== '0') {
          throw new Error(`fault campaign: run ${run} did not finish (${finished.outcome})`);
        }
        break;
      }
      const signal = FAULT_SIGNALS[Math.floor(random() * FAULT_SIGNALS.length)] as NodeJS.Signals;
      const duringWrite = random() < 1 / 3;
      const afterMilliseconds = Math.round(random() * referenceRun.millisecondsAfterStart);
      const killed = await runCli(binary, args, {
        afterMilliseconds,
        signal,
        ...(duringWrite ? { watchFolder: out } : {}),
      });
      if (killed.outcome === '0') {
        // Finished before the signal came: the run is done, the fault was not injected.
        break;
      }
      faultsLeft--;
      result.faultsInjected++;
      const fault: InjectedFault = {
        run,
        signal: signal as InjectedFault['signal'],
        afterMilliseconds,
        duringCheckpointWrite: killed.duringCheckpointWrite,
        outcome: killed.outcome,
      };
      result.faults.push(fault);
      options.onFault?.(fault);
    }
    const entries = readdirSync(out);
    result.filesLost += EXPECTED_FILES.filter((file) => !entries.includes(file)).length;
    result.strayTemporaryFiles += entries.filter((entry) => entry.endsWith('.tmp')).length;
    if (metricsAreConsistent(out, steps)) result.metricsConsistent++;
    if (
      comparableSummary(out) === referenceSummary &&
      comparableCheckpoint(join(out, 'checkpoint.safetensors')) === referenceCheckpoint &&
      readFileSync(join(out, 'samples.png')).equals(referenceSamples)
    ) {
      result.identical++;
    }
  }
  return result;
}
