import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

/** One option of a command: a string or boolean flag. */
type OptionSpec = { type: 'string' | 'boolean'; short?: string; default?: string | boolean };

/** The parsed values of a command's options (plus `help`). */
type ParsedValues<Options> = {
  [Name in keyof Options]?: Options[Name] extends { type: 'boolean' } ? boolean : string;
} & { help?: boolean };

/** A bad command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * `util.parseArgs` in strict mode, its errors turned into a `UsageError` that names the command.
 *
 * @example const { values } = parseCommandArgs('distill', args, { steps: { type: 'string' } });
 */
export function parseCommandArgs<const Options extends Record<string, OptionSpec>>(
  command: string,
  args: string[],
  options: Options,
): { values: ParsedValues<Options> } {
  const withHelp = { help: { type: 'boolean', short: 'h' } as const, ...options };
  try {
    const { values } = parseArgs({
      args,
      options: withHelp,
      strict: true,
      allowPositionals: false,
    });
    return { values: values as ParsedValues<Options> };
  } catch (error) {
    throw new UsageError(
      `fdistill ${command}: ${(error as Error).message} (see fdistill ${command} --help)`,
    );
  }
}

/** Parses a numeric flag, naming it in the error. */
export function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) {
    throw new UsageError(`--${name} must be a number, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/**
 * `--threads N`: an integer >= 1, by default every core (`os.availableParallelism()`).
 *
 * @example const threads = threadsFlag(values.threads); // 2 on a 2-core machine without the flag
 */
export function threadsFlag(value: string | undefined): number {
  const threads = numberFlag('threads', value) ?? availableParallelism();
  if (!(Number.isInteger(threads) && threads >= 1)) {
    throw new UsageError(`--threads must be an integer >= 1, got ${threads}`);
  }
  return threads;
}

/**
 * The threads of a run on `backend`: `threads` (from `threadsFlag`), except that the slices of a
 * step are exchanged with synchronous reads, which webgpu refuses: there the default is 1, and an
 * explicit `--threads` above 1 is a usage error.
 *
 * @example threadsOnBackend(threadsFlag(values.threads), values.threads !== undefined, backend.name)
 */
export function threadsOnBackend(threads: number, explicit: boolean, backend: string): number {
  if (backend !== 'webgpu') return threads;
  if (explicit && threads > 1) {
    throw new UsageError(
      `--threads ${threads}: webgpu reads tensors only asynchronously, and the threads exchange slices with synchronous reads; use --threads 1 (the default on webgpu)`,
    );
  }
  return 1;
}
