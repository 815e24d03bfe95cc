/**
 * The `idp` operator command. It works on the same store as a running IdP (SQLite in WAL mode is safe
 * to share between processes), so what it changes is seen at once without a restart. Results are JSON
 * on stdout; messages for people go to stderr; bad input exits 2, failures 1.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, ConfigError } from '../config/config.ts';
import { AppError } from '../errors.ts';
import { commands, type Command } from './commands.ts';
import { usageOf } from './context.ts';

export class UsageError extends Error {}

function usage(): string {
  const lines = ['Usage: idp <command> [options]', '', 'Commands:'];
  for (const c of commands) lines.push(`  ${c.name.padEnd(28)} ${c.summary}`);
  lines.push('', 'Run `idp <command> --help` for the options of a command.');
  return lines.join('\n');
}

function commandHelp(c: Command): string {
  const lines = [`Usage: idp ${c.name} ${usageOf(c)}`, '', c.summary, ''];
  for (const [name, o] of Object.entries(c.options ?? {})) lines.push(`  --${name.padEnd(22)} ${o.help}${o.required ? ' (required)' : ''}`);
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(a);
  }
  if (words.length === 0) {
    (argv.includes('--help') || argv.includes('-h') ? process.stdout : process.stderr).write(`${usage()}\n`);
    return argv.includes('--help') || argv.includes('-h') ? 0 : 2;
  }
  // Longest command name that matches the leading words.
  const command = [...commands]
    .sort((a, b) => b.name.split(' ').length - a.name.split(' ').length)
    .find((c) => c.name.split(' ').every((w, i) => words[i] === w));
  if (!command) {
    process.stderr.write(`idp: unknown command "${words.join(' ')}"\n\n${usage()}\n`);
    return 2;
  }
  const rest = argv.slice(command.name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    const options: ParseArgsConfig['options'] = {};
    for (const [name, o] of Object.entries(command.options ?? {})) options[name] = { type: o.type ?? 'string', multiple: o.multiple ?? false };
    ({ values } = parseArgs({ args: rest, options, strict: true, allowPositionals: false }) as { values: typeof values });
    for (const [name, o] of Object.entries(command.options ?? {})) {
      if (o.required && (values[name] === undefined || values[name] === '')) throw new UsageError(`--${name} is required`);
    }
  } catch (error) {
    process.stderr.write(`idp ${command.name}: ${(error as Error).message}\n\n${commandHelp(command)}\n`);
    return 2;
  }
  try {
    const config = loadConfig();
    const result = await command.run(values, config);
    if (result !== undefined) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`idp ${command.name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof AppError && error.expose) {
      process.stderr.write(`idp ${command.name}: ${error.message}\n`);
      return error.status === 409 || error.status === 404 ? 1 : 2;
    }
    process.stderr.write(`idp ${command.name}: failed: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}
