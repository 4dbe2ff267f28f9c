import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { PRESETS } from './presets.js';
import {
  ConfigError,
  configKindOfPreset,
  type PresetName,
  type RunConfig,
  type RunConfigFields,
  validateConfigFields,
} from './run-config.js';

/**
 * Reads a run config from a JSON or YAML file (by extension; `.yml`/`.yaml` for YAML) and checks
 * every field. Unreadable files, syntax errors and bad fields throw a `ConfigError` naming the
 * file and the field.
 *
 * @example readConfigFile('ring8-js.yaml') // { preset: 'ring8', divergence: 'js', steps: 4000 }
 */
export function readConfigFile(path: string): RunConfigFields {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `--config ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let fields: unknown;
  try {
    fields = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `--config ${path}: not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'} (${(error as Error).message.split('\n')[0]})`,
    );
  }
  return validateConfigFields(fields as Record<string, unknown>, path);
}

/**
 * The run config: the preset's defaults, then the config file's fields, then the command-line
 * flags, each layer validated against the preset's kind of config.
 *
 * @example resolveRunConfig({ preset: 'ring8', flags: { steps: 500 } }).steps // 500
 */
export function resolveRunConfig(options: {
  preset?: string;
  configPath?: string;
  flags?: RunConfigFields;
}): RunConfig {
  const fromFile = options.configPath === undefined ? {} : readConfigFile(options.configPath);
  const flags = validateConfigFields(
    { ...(options.preset === undefined ? {} : { preset: options.preset }), ...options.flags },
    'command line',
  );
  const preset = (flags.preset ?? fromFile.preset ?? 'ring8') as PresetName;
  const kind = configKindOfPreset(preset);
  if (options.configPath !== undefined) validateConfigFields(fromFile, options.configPath, kind);
  validateConfigFields(flags, 'command line', kind);
  return { ...PRESETS[preset], ...fromFile, ...flags, preset } as RunConfig;
}
