// The command-line options of the on-demand scripts (load.js, bench-workerd.js).

/** The arguments after the script's name. */
export const args = process.argv.slice(2);

/** The value after the last `--name`, or `fallback` when there is none. */
export function option(name, fallback) {
  const i = args.lastIndexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}
