/** Builds dist/ once before the tests, so that CLI tests run what ships. */
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { REPO_ROOT } from './helpers/environment.js';

export default function setup(): void {
  execFileSync(process.execPath, [`${REPO_ROOT}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
  // The CLI's bin keeps its executable bit (npx flowaudit after the tests, as the README's quick start runs it).
  chmodSync(`${REPO_ROOT}/dist/cli/main.js`, 0o755);
}
