/**
 * IAM wildcard matching: `*` matches any run of characters (also none),
 * `?` any one character, everything else itself. Iterative with one
 * backtrack point, so a pattern costs O(pattern x text) at worst and never
 * recurses (patterns come from stored policies, texts from requests).
 */

/** Whether `text` matches `pattern`; `ignoreCase` for action names (IAM compares those case-insensitively). */
export function wildcardMatch(pattern: string, text: string, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  let pi = 0;
  let ti = 0;
  let starAt = -1;
  let starText = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      starAt = pi++;
      starText = ti;
    } else if (starAt >= 0) {
      pi = starAt + 1;
      ti = ++starText;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}
