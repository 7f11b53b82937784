/**
 * Builds the web console (src/console/web) into dist/console: one ES module bundle and one
 * stylesheet, each named by a hash of its content (served with a year of immutable cache), and
 * index.html naming them. Run by `npm run build` after tsc; esbuild bundles and minifies.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The repository, from dist/scripts/build-console.js. */
const REPO = fileURLToPath(new URL('../../', import.meta.url));

const source = join(REPO, 'src', 'console', 'web');
const out = join(REPO, 'dist', 'console');

const named = (name: string, ext: string, content: string | Uint8Array): string =>
  `${name}-${createHash('sha256').update(content).digest('hex').slice(0, 12)}.${ext}`;

const bundle = await build({
  entryPoints: [join(source, 'main.ts')],
  bundle: true,
  format: 'esm',
  target: ['chrome120', 'firefox120', 'safari17'],
  minify: true,
  write: false,
  legalComments: 'none',
});
const script = (bundle.outputFiles[0] as { contents: Uint8Array }).contents;
const css = await build({ entryPoints: [join(source, 'style.css')], bundle: true, minify: true, write: false });
const style = (css.outputFiles[0] as { contents: Uint8Array }).contents;

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });
const icon = readFileSync(join(source, 'icon.svg'));
const iconName = named('icon', 'svg', icon);
writeFileSync(join(out, 'assets', iconName), icon);
const scriptName = named('app', 'js', script);
const styleName = named('style', 'css', style);
writeFileSync(join(out, 'assets', scriptName), script);
writeFileSync(join(out, 'assets', styleName), style);
const html = readFileSync(join(source, 'index.html'), 'utf8').replace('%SCRIPT%', scriptName).replace('%STYLE%', styleName).replace('%ICON%', iconName);
writeFileSync(join(out, 'index.html'), html);
process.stderr.write(`console: dist/console (${scriptName} ${script.length} B, ${styleName} ${style.length} B)\n`);
