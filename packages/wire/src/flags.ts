/**
 * Command-line flags for the process entry points: `--name value`,
 * `--name=value` and bare `--flag` (true). Each flag may also come from an
 * environment variable (SHOAL_ + upper snake case of the name), so the same
 * images run under compose and Kubernetes with environment configuration.
 */

export class Flags {
  private readonly values = new Map<string, string>();

  constructor(argv: readonly string[], private readonly env: NodeJS.ProcessEnv = process.env) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      if (!arg.startsWith('--')) continue;
      const eq = arg.indexOf('=');
      if (eq > 0) { this.values.set(arg.slice(2, eq), arg.slice(eq + 1)); continue; }
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) { this.values.set(arg.slice(2), next); i++; }
      else this.values.set(arg.slice(2), 'true');
    }
  }

  private raw(name: string): string | undefined {
    return this.values.get(name) ?? this.env['SHOAL_' + name.toUpperCase().replace(/-/g, '_')];
  }

  string(name: string, fallback: string): string { return this.raw(name) ?? fallback; }

  optionalString(name: string): string | undefined { return this.raw(name); }

  int(name: string, fallback: number): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got ${v}`);
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    return v === 'true' || v === '1' || v === 'on' || v === 'yes';
  }

  /** Comma-separated list. */
  list(name: string, fallback: readonly string[]): string[] {
    const v = this.raw(name);
    return v === undefined ? [...fallback] : v.split(',').map((s) => s.trim()).filter(Boolean);
  }
}

/** Throughput limits are on unless --limits off / SHOAL_LIMITS=off. */
export function limitsEnabled(flags: Flags): boolean {
  const v = flags.string('limits', 'on');
  return !(v === 'off' || v === 'false' || v === '0');
}
