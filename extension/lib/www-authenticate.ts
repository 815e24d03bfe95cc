/** A small `WWW-Authenticate` parser (RFC 9110 §11.6.1): enough for Bearer/DPoP challenges with auth-params. */

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /^\s*,?\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)/;
const PARAM = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([!#$%&'*+.^_`|~0-9A-Za-z/-]+))\s*,?/;

export function parseWwwAuthenticate(header: string | null): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = header ?? '';
  while (rest.trim()) {
    const param = PARAM.exec(rest);
    if (param && challenges.length > 0) {
      const value = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3]!;
      challenges.at(-1)!.params[param[1]!.toLowerCase()] = value;
      rest = rest.slice(param[0].length);
      continue;
    }
    const scheme = TOKEN.exec(rest);
    if (!scheme) break;
    challenges.push({ scheme: scheme[1]!, params: {} });
    rest = rest.slice(scheme[0].length);
  }
  return challenges;
}

/** The RFC 9470 step-up challenge: returns the required `max_age` (seconds), or null when absent. */
export function stepUpMaxAge(header: string | null): number | null {
  for (const { params } of parseWwwAuthenticate(header)) {
    if (params.error !== 'insufficient_user_authentication') continue;
    const maxAge = Number(params.max_age);
    return Number.isInteger(maxAge) && maxAge >= 0 ? maxAge : 0;
  }
  return null;
}

export function challengeError(header: string | null): string | null {
  return parseWwwAuthenticate(header).find((challenge) => challenge.params.error)?.params.error ?? null;
}
