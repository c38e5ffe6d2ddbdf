// Value formatting as pandas writes the Kaggle CSV, CSV quoting, and a buffered synchronous writer
// that keeps memory flat however many rows go through it.
import { closeSync, openSync, writeSync } from 'node:fs';

/** Python repr of a float rounded to `digits` significant digits: 0.0, 0.123, 1.84e-06. */
export function pyFloat(x: number, digits = 3): string {
  if (x === 0) return '0.0';
  const rounded = Number(x.toPrecision(digits));
  if (Math.abs(rounded) < 1e-4) {
    const [mantissa, exponent] = rounded.toExponential(digits - 1).split('e');
    const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '.0') : mantissa;
    const e = Number(exponent);
    const mant = m.endsWith('.0') ? m.slice(0, -2) : m;
    return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const s = String(rounded);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

/** A float with a fixed number of decimals, trailing zeros dropped the way Python's repr does. */
export function pyFixed(x: number, decimals: number): string {
  const s = String(Number(x.toFixed(decimals)));
  return s.includes('.') ? s : `${s}.0`;
}

/** Quotes a CSV field when it holds a comma, quote or line break (RFC 4180, as pandas does). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Appends text to a file through a fixed-size buffer; nothing else is kept in memory. */
export class BufferedFileWriter {
  private readonly fd: number;
  private chunks: string[] = [];
  private size = 0;
  bytes = 0;

  constructor(readonly file: string, private readonly flushAt = 1 << 20) {
    this.fd = openSync(file, 'w');
  }

  write(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    if (this.size >= this.flushAt) this.flush();
  }

  flush(): void {
    if (this.chunks.length === 0) return;
    const buf = Buffer.from(this.chunks.join(''), 'utf8');
    writeSync(this.fd, buf);
    this.bytes += buf.length;
    this.chunks = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
