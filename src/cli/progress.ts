import { type JobEvent } from '../engine/jobs/context';
import { formatSeconds } from '../shared/format';

/** Prints job events for a terminal: one line per epoch, a live status line on a TTY (stderr). */
export class ProgressPrinter {
  private lastStatus = 0;
  private readonly live = process.stderr.isTTY === true;

  onEvent(event: JobEvent): void {
    switch (event.kind) {
      case 'backend':
        console.error(`Backend: ${event.name}${event.note ? ` (${event.note})` : ''}`);
        break;
      case 'stage':
        this.clearStatus();
        console.error(`Stage ${event.stage}/${event.stages}: ${event.text}`);
        break;
      case 'read':
        console.error(`Read ${event.rows.toLocaleString('en-US')} rows from ${event.file} in ${event.seconds.toFixed(1)} s`);
        break;
      case 'batch': {
        const p = event.progress;
        this.status(
          `epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)} acc ${(p.accuracy * 100).toFixed(2)}% ` +
            `${Math.round(p.imagesPerSecond)} img/s ETA ${formatSeconds(p.etaSeconds)}`,
        );
        break;
      }
      case 'epoch': {
        const s = event.stats;
        const validation = s.valAccuracy === undefined ? '' : ` val_loss ${s.valLoss!.toFixed(4)} val_acc ${(s.valAccuracy * 100).toFixed(2)}%`;
        this.clearStatus();
        console.log(`Epoch ${s.epoch}: loss ${s.loss.toFixed(4)} acc ${(s.accuracy * 100).toFixed(2)}%${validation} (${s.seconds.toFixed(1)} s)`);
        break;
      }
      case 'predicting':
        this.status(`predicting ${event.done}/${event.total}`);
        break;
      default:
        break;
    }
  }

  done(): void {
    this.clearStatus();
  }

  private status(text: string): void {
    const now = Date.now();
    if (!this.live || now - this.lastStatus < 200) return;
    this.lastStatus = now;
    process.stderr.write(`\r${text}\x1b[K`);
  }

  private clearStatus(): void {
    if (this.live) process.stderr.write('\r\x1b[K');
  }
}
