/**
 * Shows `put`'s progress on stderr while it runs: on a terminal a bar
 * redrawn in place every PROGRESS_BAR_REDRAW_MS; elsewhere a plain line
 * every PROGRESS_LINE_INTERVAL_MS and at each tenth of an input of known
 * size (logs and CI keep one line per update). The timer does not keep the
 * process alive.
 */
import { PROGRESS_BAR_REDRAW_MS, PROGRESS_BAR_WIDTH, PROGRESS_LINE_INTERVAL_MS, PROGRESS_LINE_STEPS } from '../cli-limits';
import type { ProgressMode } from '../command-line';
import { progressBar, progressLine, type ProgressSnapshot } from './progress';

const CLEAR_TO_END = '\x1b[K';

export class ProgressReporter {
  private timer: NodeJS.Timeout | undefined;
  private readonly style: 'bar' | 'lines' | 'off';
  /** The last tenth of the input a line was printed for. */
  private tenthShown = 0;

  constructor(mode: ProgressMode, private readonly stderr: NodeJS.WriteStream, private readonly snapshot: () => ProgressSnapshot) {
    this.style = mode === 'auto' ? (stderr.isTTY ? 'bar' : 'lines') : mode;
  }

  start(): void {
    if (this.style === 'off') return;
    const interval = this.style === 'bar' ? PROGRESS_BAR_REDRAW_MS : PROGRESS_LINE_INTERVAL_MS;
    this.timer = setInterval(() => this.draw(), interval);
    this.timer.unref();
  }

  /** Called as records are put: in lines mode, prints a line when the input passes another tenth. */
  update(): void {
    if (this.style !== 'lines') return;
    const s = this.snapshot();
    if (s.inputBytesTotal === undefined || s.inputBytesTotal <= 0) return;
    const tenth = Math.floor((s.inputBytesDone * PROGRESS_LINE_STEPS) / s.inputBytesTotal);
    if (tenth > this.tenthShown && tenth < PROGRESS_LINE_STEPS) {
      this.tenthShown = tenth;
      this.draw();
    }
  }

  /** Stops updating; a bar is drawn one last time and its line ended. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.style === 'bar') {
      this.draw();
      this.stderr.write('\n');
    }
  }

  private draw(): void {
    if (this.style === 'bar') this.stderr.write(`\r${progressBar(this.snapshot(), PROGRESS_BAR_WIDTH)}${CLEAR_TO_END}`);
    else this.stderr.write(progressLine(this.snapshot()) + '\n');
  }
}
