/** The Python the end-to-end tests drive boto3 with. */
import { execFileSync } from 'node:child_process';

/** The first Python on this machine that imports boto3 (pyenv's or Debian's python3-boto3); fails the test if none does. */
export function pythonWithBoto3(): string {
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(python, ['-c', 'import boto3'], { stdio: 'ignore' });
      return python;
    } catch {
      // try the next one
    }
  }
  throw new Error('no python3 with boto3: install python3-boto3 (.ci/run does)');
}
