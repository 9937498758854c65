/**
 * The one-screen summary of a tier run, and its files in the run folder:
 * summary.json (one row per scenario) and summary.md (the same as a
 * Markdown table, the README "Reliability" table). Rows come from each
 * scenario folder's verdict.json, so a summary can be rebuilt from a
 * results folder alone (scripts/chaos-readme-table).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Verdict } from '../check/checker';

export interface SummaryRow {
  readonly scenario: string;
  readonly faults: string;
  readonly pass: boolean;
  readonly acknowledged: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly maxWriteGapMs: number;
  readonly violations: number;
  readonly folder: string;
  /** A documented, expected loss (check/expected-loss.ts): the row passes and reads EXPECTED LOSS n. */
  readonly expectedLoss?: number;
}

export function rowOf(verdict: Verdict, folder: string): SummaryRow {
  const faults = verdict.run.settings?.['faults'];
  return {
    scenario: verdict.run.scenario, faults: typeof faults === 'string' ? faults : '', pass: verdict.pass || verdict.expectedLoss !== undefined,
    ...(verdict.expectedLoss !== undefined ? { expectedLoss: verdict.expectedLoss } : {}),
    acknowledged: verdict.counts.acknowledged, lost: verdict.counts.lost, duplicates: verdict.counts.duplicates,
    maxWriteGapMs: verdict.availability.maxMs, violations: Object.values(verdict.violations).reduce((a, b) => a + b, 0), folder,
  };
}

/** A row for a scenario that ended without a verdict (setup failure, watchdog). */
export function abortedRow(scenario: string, faults: string, folder: string): SummaryRow {
  return { scenario, faults, pass: false, acknowledged: 0, lost: 0, duplicates: 0, maxWriteGapMs: 0, violations: 0, folder };
}

/** Rows of every scenario folder (with a verdict.json) under `tierFolder`, in folder order. */
export function rowsFromFolder(tierFolder: string): SummaryRow[] {
  return readdirSync(tierFolder, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(tierFolder, e.name, 'verdict.json')))
    .map((e) => rowOf(JSON.parse(readFileSync(join(tierFolder, e.name, 'verdict.json'), 'utf8')) as Verdict, e.name));
}

/** PASS, FAIL, or EXPECTED LOSS n for a scenario that documents its loss. */
function verdictText(r: SummaryRow): string {
  return r.expectedLoss !== undefined ? `EXPECTED LOSS ${r.expectedLoss}` : r.pass ? 'PASS' : 'FAIL';
}

export function terminalTable(rows: readonly SummaryRow[]): string {
  const verdictWidth = Math.max(8, ...rows.map((r) => verdictText(r).length));
  const head = `${'SCENARIO'.padEnd(18)} ${'VERDICT'.padEnd(verdictWidth)} ${'ACKED'.padStart(7)} ${'LOST'.padStart(5)} ${'DUPS'.padStart(5)} ${'MAX GAP'.padStart(9)}  VIOLATIONS`;
  const lines = rows.map((r) => `${r.scenario.padEnd(18)} ${verdictText(r).padEnd(verdictWidth)} ${String(r.acknowledged).padStart(7)} ${String(r.lost).padStart(5)} ${String(r.duplicates).padStart(5)} ${`${(r.maxWriteGapMs / 1000).toFixed(1)} s`.padStart(9)}  ${r.violations}`);
  return [head, ...lines].join('\n');
}

export function markdownTable(rows: readonly SummaryRow[]): string {
  const lines = [
    '| scenario | faults | verdict | acknowledged | lost | duplicates | max write gap |',
    '|---|---|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.scenario} | ${r.faults} | ${r.expectedLoss !== undefined ? `expected loss ${r.expectedLoss} (documented)` : r.pass ? 'pass' : 'FAIL'} | ${r.acknowledged} | ${r.lost} | ${r.duplicates} | ${(r.maxWriteGapMs / 1000).toFixed(1)} s |`),
  ];
  return lines.join('\n');
}

export function writeSummary(tierFolder: string, rows: readonly SummaryRow[], header: string): void {
  writeFileSync(join(tierFolder, 'summary.json'), JSON.stringify(rows, null, 2) + '\n');
  writeFileSync(join(tierFolder, 'summary.md'), `${header}\n\n${markdownTable(rows)}\n`);
}
