import { CheckpointError } from '@fdistill/trainer';
import { compareCommand } from './commands/compare.js';
import { distillCommand } from './commands/distill.js';
import { doctorCommand } from './commands/doctor.js';
import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { sampleCommand } from './commands/sample.js';
import { teacherCommand } from './commands/teacher.js';
import { ConfigError } from './run-config.js';
import { UsageError } from './usage-error.js';

/** `fdistill --help`. */
export const MAIN_HELP = `fdistill: one-step diffusion distillation with f-divergence distribution matching

Usage: fdistill <command> [options]     (fdistill <command> --help for its options)
       --verbose with any command prints the stack of a failure

Commands:
  distill          train a one-step student (default: ring8 preset, Jensen-Shannon)
  compare          train every f (plus reverse-KL and GAN-only) on one preset, print one table
  teacher train    train a score network by denoising score matching (the teacher)
  sample           draw samples from a run's student (1 step) or teacher (N steps)
  eval             measure a run's student again
  export           write a run's one-step student as ONNX (--format onnx)
  doctor           show the backend, versions, threads, and what is missing
`;

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  distill: distillCommand,
  compare: compareCommand,
  teacher: teacherCommand,
  sample: sampleCommand,
  eval: evalCommand,
  export: exportCommand,
  doctor: doctorCommand,
};

/**
 * Runs the `fdistill` command line and returns its exit code: 0 done, 1 failed (I/O failures
 * such as a full disk or a read-only folder: one line on stderr naming the file and the code;
 * `--verbose` anywhere adds the stack), 2 bad input: command line, config, data, model or
 * checkpoint (one line naming the file and what is wrong, nothing in the run folder changed),
 * 130 interrupted.
 *
 * @example process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(commandLine: string[]): Promise<number> {
  const verbose = commandLine.includes('--verbose');
  const args = commandLine.filter((arg) => arg !== '--verbose');
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(MAIN_HELP);
    return command === undefined ? 2 : 0;
  }
  const handler = COMMANDS[command];
  try {
    if (handler === undefined) {
      throw new UsageError(
        `unknown command "${command}"; expected one of: ${Object.keys(COMMANDS).join(', ')}`,
      );
    }
    return await handler(rest);
  } catch (error) {
    // Bad input (command line, config, a checkpoint's bytes): one line, exit 2.
    if (
      error instanceof UsageError ||
      error instanceof ConfigError ||
      error instanceof CheckpointError
    ) {
      console.error(`fdistill: ${verbose ? (error.stack ?? error.message) : error.message}`);
      return 2;
    }
    // One line naming what failed (an I/O failure: the file and the code); the stack only with --verbose.
    const failure = error instanceof Error ? error : new Error(String(error));
    const { path } = failure as NodeJS.ErrnoException;
    const message =
      path !== undefined && !failure.message.includes(path)
        ? `${path}: ${failure.message}`
        : failure.message;
    console.error(`fdistill: ${verbose ? (failure.stack ?? message) : message.split('\n')[0]}`);
    return 1;
  }
}
