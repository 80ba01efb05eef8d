// A clock for the whole local cloud: with `--clock <ISO time>`, cloud.mjs runs under libfaketime
// (Debian's package, LD_PRELOAD), so Node, the local DynamoDB and every Lambda JVM it starts read
// a wall clock that starts at that time and runs on. Tests use it to run the workflow past
// 2038-01-19, where Unix seconds no longer fit the 32-bit integers of States.MathAdd.
//
// libfaketime comes from the system (`apt-get install faketime`) or, without root, from Debian's
// package fetched into local/target/faketime with `apt-get download` and unpacked with dpkg-deb:
// no download of our own.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const LIBRARY = path.join('usr', 'lib', 'x86_64-linux-gnu', 'faketime', 'libfaketime.so.1');
const LOCAL = path.join(here, 'target', 'faketime');

/** The variables the local Lambda passes on to a function's environment, when they are set. */
export const CLOCK_VARIABLES = ['LD_PRELOAD', 'FAKETIME', 'FAKETIME_DONT_FAKE_MONOTONIC'];

/** The path of libfaketime.so.1, fetching Debian's package first if the system has none. */
export function libfaketime() {
  const system = path.join('/', LIBRARY);
  if (existsSync(system)) return system;
  const local = path.join(LOCAL, LIBRARY);
  if (existsSync(local)) return local;
  mkdirSync(LOCAL, { recursive: true });
  try {
    execFileSync('apt-get', ['download', 'libfaketime'], { cwd: LOCAL, stdio: ['ignore', 'ignore', 'pipe'] });
    const deb = readdirSync(LOCAL).find((f) => f.startsWith('libfaketime') && f.endsWith('.deb'));
    execFileSync('dpkg-deb', ['-x', path.join(LOCAL, deb), LOCAL]);
  } catch (error) {
    throw new Error(`--clock needs libfaketime: install Debian's faketime package, or let`
      + ` 'apt-get download libfaketime' reach the Debian archive (${error.message})`);
  }
  return local;
}

/**
 * The environment that sets a process's wall clock to `iso` now, running on from there. It is an
 * offset from the real clock, so every process started with it (the cloud, and each Lambda JVM
 * started later) reads the same time; monotonic clocks stay real, which the JVM needs.
 */
export function clockEnvironment(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new Error(`--clock wants an ISO-8601 time, got '${iso}'`);
  const offset = Math.round((at.getTime() - Date.now()) / 1000);
  return {
    LD_PRELOAD: libfaketime(), FAKETIME: `${offset >= 0 ? '+' : ''}${offset}`, FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
}
