// Where the CLI writes data (stdout) and messages (stderr). Tests that run the CLI in-process swap
// these sinks instead of patching process.stdout, which node's test runner itself uses.
export const io = {
  out: (s: string): void => void process.stdout.write(s),
  err: (s: string): void => void process.stderr.write(s),
};

let stdoutGone = false;
let watchingStdout = false;

/**
 * A sink for streamed data on stdout: waits for the pipe to drain (bounded memory when the reader
 * is slower than the query) and notices when the reader has gone away (`| head`), so the producer
 * stops instead of dying on EPIPE.
 */
export function stdoutSink(): { write(s: string | Uint8Array): Promise<void> | void; readonly closed: boolean } {
  if (!watchingStdout) {
    watchingStdout = true;
    process.stdout.on('error', () => {
      stdoutGone = true;
    });
  }
  return {
    get closed() {
      return stdoutGone;
    },
    write(s: string | Uint8Array): Promise<void> | void {
      if (stdoutGone) return;
      // Bytes (a Parquet file) go straight to stdout; text goes through io.out, which tests capture.
      if (typeof s === 'string') io.out(s);
      else process.stdout.write(s);
      if (process.stdout.writableNeedDrain) {
        return new Promise<void>((resolve) => {
          const done = () => {
            process.stdout.off('drain', done);
            process.stdout.off('close', done);
            resolve();
          };
          process.stdout.on('drain', done);
          process.stdout.on('close', done);
        });
      }
    },
  };
}
