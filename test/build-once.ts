// Jest global setup: dist/ (what `npm run synth` runs) made current once, before any test
// synthesizes, so parallel tests never wait on a build inside their own timeouts.
const { ensureBuilt } = require('../scripts/fresh-build.js') as { ensureBuilt(): string };

export default function buildOnce(): void {
  ensureBuilt();
}
