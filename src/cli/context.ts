import type { Command } from 'commander';
import { type LoadedConfig, loadConfig } from '../config/load.js';

/** Reads the global `--config` option and loads, validates and caches the configuration. */
export function configFrom(command: Command): LoadedConfig {
  const opts = command.optsWithGlobals<{ config?: string }>();
  return loadConfig({ file: opts.config });
}
