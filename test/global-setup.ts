/** Builds dist/ once before the tests, so that CLI tests run what ships. */
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './helpers/environment.js';

export default function setup(): void {
  execFileSync(process.execPath, [`${REPO_ROOT}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
}
