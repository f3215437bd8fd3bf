// Preloaded into Prisma 6's CLI by prisma-diff.ts: `migrate diff --script` prints the script with
// one console.log, then the CLI idles for about 10 s on timers it leaves behind. End it once the
// script is out.
const print = console.log;
console.log = (...args) => {
  print(...args);
  process.stdout.write('', () => process.exit(0));
};
