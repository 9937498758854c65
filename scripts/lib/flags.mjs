// Flag parsing for the scripts: node's parseArgs, plus --help (-h) and a
// short message instead of a stack trace for an unknown or malformed flag.
// The usage printed is the script's own header comment, from its
// "// Usage:" line to the next empty comment line, so it has one source.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The "// Usage:" paragraph of the script at `scriptUrl` (import.meta.url), without the comment marks. */
export function usageOf(scriptUrl) {
  const lines = readFileSync(fileURLToPath(scriptUrl), 'utf8').split('\n');
  const start = lines.findIndex((l) => /^\/\/ Usage:/.test(l));
  if (start < 0) return '';
  const out = [];
  for (let i = start; i < lines.length && /^\/\/ \S|^\/\/ {2}/.test(lines[i]); i++) out.push(lines[i].slice(3));
  return out.join('\n');
}

/** parseArgs({ options }) for the script at `scriptUrl`; exits 0 after printing its usage on --help, 2 on a bad flag. */
export function parseFlags(scriptUrl, options) {
  const usage = usageOf(scriptUrl);
  try {
    const parsed = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h', default: false } } });
    if (parsed.values.help) {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    delete parsed.values.help;
    return parsed;
  } catch (err) {
    process.stderr.write(`${err.message}\n${usage}\n`);
    process.exit(2);
  }
}
