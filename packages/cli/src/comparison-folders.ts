import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { RunConfig } from './run-config.js';
import { ConfigError } from './run-config.js';
import { RunFolder } from './run-folder.js';

/** Where one run of a comparison stands in its folder. */
export type ComparedRunState =
  | { state: 'new'; folder: RunFolder }
  | { state: 'resume'; folder: RunFolder }
  | { state: 'finished'; folder: RunFolder; summary: Record<string, unknown> };

/** JSON with sorted keys, so two configs compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, field) =>
    field && typeof field === 'object' && !Array.isArray(field)
      ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => a.localeCompare(b)))
      : field,
  );
}

/**
 * The folder of one run of a comparison. A new comparison creates it (refusing one that holds
 * files); with `resume`, an existing folder must hold a run of exactly `config`: a finished run
 * (summary.json) is kept, a run with a checkpoint resumes, and a run stopped before its first
 * checkpoint starts again. Anything else stops with a `ConfigError` naming the folder.
 *
 * @example const run = openComparedRun('runs/compare/js-seed0', config, true);
 */
export function openComparedRun(
  path: string,
  config: RunConfig,
  resume: boolean,
): ComparedRunState {
  if (!resume || !existsSync(path) || readdirSync(path).length === 0) {
    return { state: 'new', folder: RunFolder.create(path, config) };
  }
  const opened = RunFolder.open(path);
  if (canonical(opened.config) !== canonical(config)) {
    throw new ConfigError(
      `--resume: ${path} holds a run of another config than this comparison's (compare its config.json with the flags given)`,
    );
  }
  const { folder } = opened;
  if (existsSync(folder.file('summary'))) {
    const summary = JSON.parse(readFileSync(folder.file('summary'), 'utf8')) as Record<
      string,
      unknown
    >;
    return { state: 'finished', folder, summary };
  }
  if (existsSync(folder.file('checkpoint'))) return { state: 'resume', folder };
  // Stopped before its first checkpoint: nothing of it can be continued.
  rmSync(path, { recursive: true, force: true });
  return { state: 'new', folder: RunFolder.create(path, config) };
}
