// Where the CLI writes data (stdout) and messages (stderr). Tests that run the CLI in-process swap
// these sinks instead of patching process.stdout, which node's test runner itself uses.
export const io = {
  out: (s: string): void => void process.stdout.write(s),
  err: (s: string): void => void process.stderr.write(s),
};
