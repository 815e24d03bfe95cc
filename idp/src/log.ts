/** A tiny leveled logger writing JSON-free human lines to stderr, so stdout stays for command output. */
type Level = 'silent' | 'warn' | 'info' | 'debug';
const order: Record<Level, number> = { silent: 0, warn: 1, info: 2, debug: 3 };
let current: Level = 'info';

export function setLogLevel(level: Level): void {
  current = level;
}

function write(level: Exclude<Level, 'silent'>, message: string): void {
  if (order[current] >= order[level]) process.stderr.write(`[idp] ${level === 'info' ? '' : `${level.toUpperCase()}: `}${message}\n`);
}

export const log = {
  warn: (message: string) => write('warn', message),
  info: (message: string) => write('info', message),
  debug: (message: string) => write('debug', message),
};
