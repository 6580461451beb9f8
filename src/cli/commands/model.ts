import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { FEATURE_NAMES } from '../../agent/features.js';
import type { Config } from '../../config/schema.js';
import { LandfallError } from '../../errors.js';
import type { Module } from '../../market/types.js';
import { compileAndPublish, publishLibrary } from '../../model/build.js';
import { type GoldenVector, isModule, manifestSchema } from '../../model/manifest.js';
import { listVersions } from '../../model/registry.js';
import { configFrom } from '../context.js';
import { adminBearer, apiUrlOf } from './train.js';

function modelDir(config: Config): string {
  return resolve(config.home, config.model.dir);
}

function moduleArg(value: string): Module {
  if (!isModule(value)) {
    throw new LandfallError('LF_CLI_USAGE', `module must be mev or arb, not '${value}'`);
  }
  return value;
}

function thresholdArg(value: string): number {
  const t = Number(value);
  if (!(Number.isFinite(t) && t >= 0 && t <= 1)) {
    throw new LandfallError(
      'LF_CLI_USAGE',
      `--threshold must be a number in [0, 1], not '${value}'`,
    );
  }
  return t;
}

function goldenFile(path: string): GoldenVector[] {
  const parsed = z
    .array(manifestSchema.shape.golden.element)
    .min(1)
    .safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new LandfallError(
      'LF_CLI_USAGE',
      `${path}: expected [{"features": [...], "p": 0.5}, ...]`,
    );
  }
  return parsed.data;
}

interface PublishCliOptions {
  module: string;
  golden: string;
  features?: string;
  jobId?: string;
}

interface CompileCliOptions {
  module: string;
  threshold: string;
  features?: string;
  jobId?: string;
}

export function registerModel(program: Command): void {
  const model = program
    .command('model')
    .description('compiled models (ABI v1): compile XGBoost JSON, list, roll back');

  model
    .command('compile <model.json>')
    .description(
      'compile an XGBoost JSON model (binary:logistic) to C implementing ABI v1, build it with ' +
        'cc -O3, check it against the reference predictions, and publish it as the live model',
    )
    .requiredOption('--module <module>', 'mev or arb')
    .option('--threshold <p>', 'decision threshold baked into the library', '0.5')
    .option(
      '--features <names>',
      "comma-separated feature order (default: the agent's feature set lf-v1)",
    )
    .option('--job-id <id>', 'training job that produced the model (recorded in the manifest)')
    .action(async (file: string, opts: CompileCliOptions, command: Command) => {
      const { config } = configFrom(command);
      const featureNames = opts.features?.split(',').map((s) => s.trim()) ?? [...FEATURE_NAMES];
      const manifest = await compileAndPublish(readFileSync(file, 'utf8'), {
        module: moduleArg(opts.module),
        threshold: thresholdArg(opts.threshold),
        featureNames,
        cc: config.model.cc,
        sandbox: config.model.sandbox,
        dir: modelDir(config),
        keep: config.model.keep,
        source: resolve(file),
        ...(opts.jobId === undefined ? {} : { trainingJobId: opts.jobId }),
      });
      process.stdout.write(
        `published ${manifest.module} model ${manifest.version} (sha256 ${manifest.checksum}) ` +
          `to ${modelDir(config)}; it is live\n`,
      );
    });

  model
    .command('publish <library.so>')
    .description(
      'publish a library built elsewhere (Treelite, by hand) that exports model_abi_v1_export(), ' +
        'with golden vectors it must reproduce; it is checked as an agent would before going live',
    )
    .requiredOption('--module <module>', 'mev or arb')
    .requiredOption(
      '--golden <file.json>',
      'JSON array of {"features": [number|null], "p": number}',
    )
    .option('--features <names>', "comma-separated feature order (default: the agent's lf-v1)")
    .option('--job-id <id>', 'training job that produced the model')
    .action(async (file: string, opts: PublishCliOptions, command: Command) => {
      const { config } = configFrom(command);
      const manifest = publishLibrary(file, {
        module: moduleArg(opts.module),
        featureNames: opts.features?.split(',').map((s) => s.trim()) ?? [...FEATURE_NAMES],
        golden: goldenFile(opts.golden),
        dir: modelDir(config),
        keep: config.model.keep,
        sandbox: config.model.sandbox,
        ...(opts.jobId === undefined ? {} : { trainingJobId: opts.jobId }),
      });
      process.stdout.write(`published ${manifest.module} model ${manifest.version}; it is live\n`);
    });

  model
    .command('list')
    .description('versions in the registry, newest first; * marks the live one')
    .option('--module <module>', 'only this module')
    .option('--json', 'print JSON')
    .action((opts: { module?: string; json?: boolean }, command: Command) => {
      const { config } = configFrom(command);
      const modules: Module[] =
        opts.module === undefined ? ['arb', 'mev'] : [moduleArg(opts.module)];
      const entries = modules.flatMap((m) => listVersions(modelDir(config), m));
      if (opts.json) {
        const rows = entries.map((e) => ({
          live: e.live,
          path: e.path,
          ...e.manifest,
          golden: undefined,
        }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (entries.length === 0) {
        process.stdout.write(`no models in ${modelDir(config)}\n`);
        return;
      }
      for (const e of entries) {
        const m = e.manifest;
        const rule = m.metrics.promoted_by_rule;
        const decided =
          rule === undefined ? '' : rule === 1 ? '  promoted by rule' : '  kept back by rule';
        process.stdout.write(
          `${e.live ? '*' : ' '} ${m.module} ${m.version}  #${m.sequence}  ${m.createdAt}${decided}  ` +
            `threshold ${m.threshold}  job ${m.trainingJobId ?? '-'}\n`,
        );
      }
    });

  registerAudited(
    model,
    'promote',
    '<module> <version>',
    'make a version (a candidate the champion/challenger rule kept back) live by hand, through ' +
      'the running API, which audits it with both versions and the figures',
    'promoted by hand',
  );
  registerAudited(
    model,
    'rollback',
    '<module> [version]',
    'make an earlier version live (default: the one published before the live one), through ' +
      'the running API, which audits it with both versions and the figures',
    'rolled back by hand',
  );
}

/** `model promote` and `model rollback`: one shape, each through the API (see throughApi). */
function registerAudited(
  model: Command,
  verb: 'promote' | 'rollback',
  args: string,
  description: string,
  done: string,
): void {
  model
    .command(`${verb} ${args}`)
    .description(description)
    .requiredOption('--reason <text>', 'why, for the audit record')
    .option(
      '--token <jwt>',
      'admin token (default: $LANDFALL_TOKEN, or one minted from the secret)',
    )
    .action(
      async (
        module: string,
        version: string | undefined,
        opts: { reason: string; token?: string },
        command: Command,
      ) => {
        const m = moduleArg(module);
        const live = await throughApi(command, opts, verb, m, {
          ...(version === undefined ? {} : { version }),
          reason: opts.reason,
        });
        process.stdout.write(`${m} model ${live} is live (${done})\n`);
      },
    );
}

/**
 * Promotion and rollback change what every agent trades with: they go through the running
 * API, which checks the admin role and writes the audit record with both versions and the
 * figures. Resolves with the version now live.
 */
async function throughApi(
  command: Command,
  opts: { token?: string },
  verb: 'promote' | 'rollback',
  module: Module,
  body: { version?: string; reason: string },
): Promise<string> {
  const { config } = configFrom(command);
  const subject = process.env.USER ?? 'cli';
  const bearer = await adminBearer(config, opts.token, subject, `${verb} is audited`);
  const url = `${apiUrlOf(config)}/api/models/${module}/${verb}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (cause) {
    throw new LandfallError(
      'LF_CLI_USAGE',
      `cannot reach the API at ${url} (${verb} goes through it to be audited): start \`landfall up\` or \`landfall api\``,
      { cause },
    );
  }
  const answer = (await res.json().catch(() => ({}))) as {
    version?: string;
    error?: { code?: string; message?: string };
  };
  if (res.status !== 200) {
    throw new LandfallError(
      'LF_CLI_USAGE',
      `the API refused the ${verb === 'promote' ? 'promotion' : 'rollback'} (${res.status}): ${answer.error?.code ?? ''} ${answer.error?.message ?? ''}`,
    );
  }
  return answer.version ?? '';
}
