/** Temporary directories a test file makes and removes afterwards, so test runs leave nothing under the OS temp dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TempDirs {
  private readonly made: string[] = [];

  /** `prefix`: the start of each directory's name (mkdtemp adds six random characters). */
  constructor(private readonly prefix: string) {}

  /** A new empty directory. */
  make(): string {
    const dir = mkdtempSync(join(tmpdir(), this.prefix));
    this.made.push(dir);
    return dir;
  }

  /** Deletes every directory made so far, with what it holds (call it from an `after` hook). */
  removeAll(): void {
    for (const dir of this.made.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
