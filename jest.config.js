// Six tiers, runnable together (`npm test`) or alone (`--selectProjects <name>`).
const transform = { '^.+\\.ts$': ['@swc/jest'] };
// dist/ is the build's output (a copy of lib/ as JavaScript), never a test's input.
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'], modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.dist-'],
  // dist/ built once when stale: the synth helpers and `npm run synth` run it with plain node.
  globalSetup: '<rootDir>/test/build-once.ts' };

module.exports = {
  // Files start by tier, the long apply roots first, the same with or without jest's cache (test/sequencer.js).
  testSequencer: '<rootDir>/test/sequencer.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['<rootDir>/test/terraform/', '<rootDir>/test/dataplane/', '<rootDir>/test/consumer/', '<rootDir>/test/instance/', '<rootDir>/test/apply/'] },
    { ...common, displayName: 'terraform', testMatch: ['<rootDir>/test/terraform/**/*.test.ts'] },
    // The packed package in a user's app outside the repository (npm, tsc, cdktf synth, terraform plan).
    { ...common, displayName: 'consumer', testMatch: ['<rootDir>/test/consumer/**/*.test.ts'] },
    { ...common, displayName: 'dataplane', testMatch: ['<rootDir>/test/dataplane/**/*.test.ts'] },
    // Every root applied, re-planned, changed and destroyed against moto's server (docs/apply-tier.md).
    { ...common, displayName: 'apply', testMatch: ['<rootDir>/test/apply/**/*.test.ts'] },
    // The boot under systemd, systemd-networkd and cloud-init in a container (root; see test/instance/README.md).
    { ...common, displayName: 'instance', testMatch: ['<rootDir>/test/instance/**/*.test.ts'] },
  ],
};
