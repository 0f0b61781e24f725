// Bundles the extension into dist/extension.js with esbuild.
//   node scripts/build.mjs               development build with source maps
//   node scripts/build.mjs --production  minified, no source maps (vsce package)
//   node scripts/build.mjs --watch       rebuilds on change
//   node scripts/build.mjs --tests       the unit tests into out/test/, with
//                                        `vscode` mapped to test/unit/vscode-stub.ts
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcesContent: false,
  logLevel: tests ? 'warning' : 'info',
};

const options = tests
  ? {
      ...common,
      entryPoints: readdirSync(path.join(root, 'test', 'unit'))
        .filter((f) => f.endsWith('.test.ts'))
        .map((f) => `test/unit/${f}`),
      outdir: 'out/test',
      alias: { vscode: './test/unit/vscode-stub.ts' },
      // The stub holds only what the tested functions touch; the rest of
      // the API is referenced by code the unit tests do not run.
      logOverride: { 'import-is-undefined': 'silent' },
      sourcemap: 'inline',
    }
  : {
      ...common,
      entryPoints: ['src/extension.ts'],
      outfile: 'dist/extension.js',
      external: ['vscode'],
      minify: production,
      sourcemap: !production,
    };

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
