/**
 * The layers of src/, lowest first. A module may import its own layer and the layers below it,
 * never one above; no import cycle anywhere. `npm run lint` runs this (depcruise); the order is
 * explained in docs/DESIGN.md, "Source layout".
 *
 * Type-only imports count: a type is a dependency a reader has to follow too.
 */
const layers = [
  // The web console's browser code (bundled by esbuild, served at /ui): it talks to the API over HTTP and imports nothing else of src/.
  { name: 'console', paths: ['^src/console/'] },
  // Pure: formats, hashes, sealed payloads and the log view (node:crypto), the error catalogue, the logger type, retry arithmetic. No service I/O.
  { name: 'core', paths: ['^src/(errors|log|readiness)\\.ts$', '^src/(chain|wire|seal|tlog|retry)/'] },
  { name: 'config', paths: ['^src/config/'] },
  // Adapters to the outside: Kafka, ZooKeeper, Redis (the index store), Prometheus.
  { name: 'adapters', paths: ['^src/(kafka|coordination|index-store|metrics)/'] },
  // Roles: what a replica (or a one-shot command) does with the adapters.
  { name: 'roles', paths: ['^src/(worker|sequencer|indexer|verify|ops|reader|delivery|witness)/'] },
  // The HTTP API: routes over ports that the replica implements; never the replica itself.
  { name: 'api', paths: ['^src/api/'] },
  // The composition root: builds one replica from roles and the API, owns start and close order.
  { name: 'replica', paths: ['^src/replica/'] },
  // The top: the CLI, and beside it the library entry (`src/lib.ts`, package.json `exports`); neither imports the other.
  { name: 'cli', paths: ['^src/cli/'] },
  { name: 'lib', paths: ['^src/lib\\.ts$'] },
];

const above = (i) => layers.slice(i + 1).flatMap((l) => l.paths);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: the modules involved cannot be read, tested or loaded one without the other.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layers.slice(0, -1).map((layer, i) => ({
      name: `layer-${layer.name}`,
      severity: 'error',
      comment: `The ${layer.name} layer imports a layer above it (order: ${layers.map((l) => l.name).join(' → ')}).`,
      from: { path: layer.paths },
      to: { path: above(i) },
    })),
    {
      name: 'lib-not-to-cli',
      severity: 'error',
      comment: 'The library entry sits beside the CLI, not above it: a user of the package never loads commander or the commands.',
      from: { path: '^src/lib\\.ts$' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'console-apart',
      severity: 'error',
      comment: 'The console runs in a browser: no server module imports it (the API serves its built files), and it imports no server module.',
      from: { path: '^src/(?!console/)' },
      to: { path: '^src/console/' },
    },
    {
      name: 'console-imports-nothing-else',
      severity: 'error',
      comment: 'Browser code cannot load Node modules or the server layers: the console reads the API over HTTP only.',
      from: { path: '^src/console/' },
      to: { path: '^src/(?!console/)' },
    },
    {
      name: 'src-not-to-outside',
      severity: 'error',
      comment: 'src/ is the product: it never imports tests, scripts, benchmarks or the chaos suite.',
      from: { path: '^src/' },
      to: { path: '^(test|scripts|bench|chaos)/' },
    },
    {
      name: 'every-module-in-a-layer',
      severity: 'error',
      comment: 'A module under src/ that no layer names: add its folder to a layer in .dependency-cruiser.cjs.',
      from: { path: '^src/', pathNot: layers.flatMap((l) => l.paths) },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
